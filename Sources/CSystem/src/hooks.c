// OCI hooks that run inside the container's namespaces (createContainer, startContainer).
// The state JSON goes to the hook's stdin, as the runtime spec requires.
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int wait_with_timeout(pid_t pid, int timeout_seconds, int *status) {
    struct timespec tick = {.tv_sec = 0, .tv_nsec = 5 * 1000 * 1000};
    long waited_ms = 0;
    for (;;) {
        pid_t w = waitpid(pid, status, timeout_seconds > 0 ? WNOHANG : 0);
        if (w == pid) return 0;
        if (w < 0 && errno != EINTR) return -errno;
        if (timeout_seconds > 0 && w == 0) {
            if (waited_ms >= (long)timeout_seconds * 1000) {
                kill(pid, SIGKILL);
                while (waitpid(pid, status, 0) < 0 && errno == EINTR) {
                }
                return -ETIMEDOUT;
            }
            nanosleep(&tick, NULL);
            waited_ms += 5;
        }
    }
}

int swl_run_hooks(const swl_hook *hooks, int n, const char *state, size_t state_len,
                  const char *phase, char *step, size_t step_size) {
    for (int i = 0; i < n; i++) {
        const swl_hook *h = &hooks[i];
        int in[2];
        if (pipe2(in, O_CLOEXEC) < 0) {
            swl_fmt(step, step_size, "%s hook \"%s\": pipe", phase, h->path);
            return -errno;
        }
        pid_t pid = swl_raw_clone(0);
        if (pid < 0) {
            int e = errno;
            close(in[0]);
            close(in[1]);
            swl_fmt(step, step_size, "%s hook \"%s\": fork", phase, h->path);
            return -e;
        }
        if (pid == 0) {
            dup2(in[0], 0);
            execve(h->path, h->argv, h->envp);
            _exit(127);
        }
        close(in[0]);
        // A hook may exit without reading its input; that is not our failure.
        signal(SIGPIPE, SIG_IGN);
        if (state && state_len) (void)swl_write_all(in[1], state, state_len);
        close(in[1]);
        int status = 0;
        int rc = wait_with_timeout(pid, h->timeout_seconds, &status);
        if (rc == -ETIMEDOUT) {
            swl_fmt(step, step_size, "%s hook \"%s\": timed out after %ds", phase, h->path, h->timeout_seconds);
            return rc;
        }
        if (rc < 0) {
            swl_fmt(step, step_size, "%s hook \"%s\": wait", phase, h->path);
            return rc;
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            if (WIFEXITED(status))
                swl_fmt(step, step_size, "%s hook \"%s\": exit status %d", phase, h->path, WEXITSTATUS(status));
            else
                swl_fmt(step, step_size, "%s hook \"%s\": killed by signal %d", phase, h->path, WTERMSIG(status));
            return -ECANCELED;
        }
    }
    return 0;
}
