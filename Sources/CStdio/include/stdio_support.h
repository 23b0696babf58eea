#ifndef STDIO_SUPPORT_H
#define STDIO_SUPPORT_H
/// Makes C's stdout and stderr unbuffered (Swift 6 cannot name the `stdout` global safely).
void stdio_make_unbuffered(void);
#endif
