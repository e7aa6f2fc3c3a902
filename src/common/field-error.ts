/** One problem with one field of a request, as every 4xx body lists them. */
export interface FieldError {
  field: string;
  message: string;
}
