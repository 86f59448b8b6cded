// Syscall shims Swift cannot call directly (variadic, macro-defined or missing from glibc).
#pragma once

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

int swl_errno(void);
// ioctl/prctl are variadic; these fixed-argument forms are callable from Swift.
int swl_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5);
// The magic number of the filesystem at `path` (statfs f_type), or -errno.
long swl_fs_magic(const char *path);
// Process start time in clock ticks since boot (field 22 of /proc/PID/stat), or -errno.
long long swl_process_start_time(pid_t pid);
int swl_pidfd_open(pid_t pid);
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

#define SWL_CGROUP2_SUPER_MAGIC 0x63677270L
#define SWL_TMPFS_MAGIC 0x01021994L

#ifdef __cplusplus
}
#endif
