/* A stand-in "libssl.so.99": SSL_read/SSL_write/SSL_read_ex/SSL_write_ex whose first instruction is push %rbp
 * (as in Node's OpenSSL) or sub $N,%rsp (as in Debian's libssl.so.3), to time one probed call of each shape. */
int SSL_set_fd(void *s, int fd) { (void)s; return fd; }
__attribute__((naked)) int SSL_read(void *s, void *b, int n) { __asm__("push %rbp\n\tmov %rsp,%rbp\n\tmov $-1,%eax\n\tpop %rbp\n\tret\n"); }
__attribute__((naked)) int SSL_write(void *s, const void *b, int n) { __asm__("push %rbp\n\tmov %rsp,%rbp\n\tmov $-1,%eax\n\tpop %rbp\n\tret\n"); }
__attribute__((naked)) int SSL_read_ex(void *s, void *b, unsigned long n, unsigned long *r) { __asm__("sub $0x8,%rsp\n\tmov $-1,%eax\n\tadd $0x8,%rsp\n\tret\n"); }
__attribute__((naked)) int SSL_write_ex(void *s, const void *b, unsigned long n, unsigned long *w) { __asm__("sub $0x8,%rsp\n\tmov $-1,%eax\n\tadd $0x8,%rsp\n\tret\n"); }
