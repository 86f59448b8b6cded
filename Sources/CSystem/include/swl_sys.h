// Syscall shims Swift cannot call directly (variadic, macro-defined or missing from glibc).
#pragma once

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

// Process start time in clock ticks since boot (field 22 of /proc/PID/stat), or -errno.
long long swl_process_start_time(pid_t pid);
// pipe2 with O_CLOEXEC (glibc hides pipe2 from Swift without _GNU_SOURCE).
int swl_pipe_cloexec(int fds[2]);

// Blocks the signals a foreground runtime forwards to its container (INT, TERM, HUP, QUIT,
// USR1, USR2, WINCH) and returns a signalfd that receives them, or -errno.
int swl_forward_signals_begin(void);
// Reads one signal from that descriptor: its number, or -errno.
int swl_forward_signals_read(int fd);
// Closes the descriptor and unblocks the signals.
void swl_forward_signals_end(int fd);

// Copies the window size of terminal `from` to terminal `to` (TIOCGWINSZ → TIOCSWINSZ).
int swl_copy_winsize(int from, int to);


#ifdef __cplusplus
}
#endif
