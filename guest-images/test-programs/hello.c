/* The smallest useful program: says hello on stdout, exits with status 7. */
#include <stdio.h>
int main(int argc, char **argv) {
    printf("hello from %s, argc=%d\n", argc > 0 ? argv[0] : "?", argc);
    for (int i = 1; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    return 7;
}
