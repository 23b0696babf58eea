// What a chapter prints must reach its capture file at once, so a crash loses none of it; and a
// chapter's process must never outlive the build that started it.
#include "stdio_support.h"
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

void stdio_make_unbuffered(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    setvbuf(stderr, NULL, _IONBF, 0);
}

int chapter_process_detach(void) {
    pid_t parent = getppid();
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    setpgid(0, 0);
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
    // The build may have died before the death signal was armed.
    return getppid() == parent ? 0 : -1;
}
