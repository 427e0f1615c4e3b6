// Static "hello": prints its arguments and exits with status 7.
#include <stdio.h>

int main(int argc, char **argv) {
    printf("hello from %s, argc=%d", argv[0], argc);
    for (int i = 1; i < argc; i++) printf(" [%s]", argv[i]);
    printf("\n");
    return 7;
}
