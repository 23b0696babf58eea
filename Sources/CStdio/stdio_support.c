// What a chapter prints must reach its capture file at once, so a crash loses none of it.
#include "stdio_support.h"
#include <stdio.h>

void stdio_make_unbuffered(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    setvbuf(stderr, NULL, _IONBF, 0);
}
