#ifndef STDIO_SUPPORT_H
#define STDIO_SUPPORT_H
/// Makes C's stdout and stderr unbuffered (Swift 6 cannot name the `stdout` global safely).
void stdio_make_unbuffered(void);

/// For a chapter's process: its own process group (the build stops the group), killed when the build
/// dies however it dies (Linux's parent-death signal), default handling of the stop signals the build
/// may have ignored. Returns 0, or -1 when the parent is already gone.
int chapter_process_detach(void);
#endif
