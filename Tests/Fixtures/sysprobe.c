// A static probe for the runtime's root tests: tries one system call inside a container and
// prints "<op>: ok" or "<op>: <ERRNO>", so tests assert on the kernel's answer, not on a shell's.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *name(int e) {
    switch (e) {
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case EROFS: return "EROFS";
    case ENOENT: return "ENOENT";
    case EAGAIN: return "EAGAIN";
    case ENOSYS: return "ENOSYS";
    case EINVAL: return "EINVAL";
    case ENOMEM: return "ENOMEM";
    default: return strerror(e);
    }
}

static int report(const char *op, long rc) {
    if (rc < 0) printf("%s: %s\n", op, name(errno));
    else printf("%s: ok\n", op);
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    for (int i = 1; i < argc; i++) {
        const char *op = argv[i];
        if (!strcmp(op, "keyctl")) report(op, syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0));
        else if (!strcmp(op, "add_key")) report(op, syscall(SYS_add_key, "user", "k", "v", 1, -3));
        else if (!strcmp(op, "unshare")) report(op, unshare(CLONE_NEWNS));
        else if (!strcmp(op, "unshare-user")) report(op, unshare(CLONE_NEWUSER));
        else if (!strcmp(op, "mount")) report(op, mount("none", "/tmp", "tmpfs", 0, NULL));
        // statmount (Linux 6.8, x86_64 457): newer than libseccomp 2.5.4 knows.
        else if (!strcmp(op, "statmount")) report(op, syscall(457, NULL, NULL, 0, 0));
        else if (!strcmp(op, "rawsocket")) report(op, socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
        else if (!strcmp(op, "socket")) report(op, socket(AF_INET, SOCK_STREAM, 0));
        else if (!strcmp(op, "write") && i + 1 < argc) {
            const char *path = argv[++i];
            report(op, open(path, O_CREAT | O_WRONLY, 0644));
        } else if (!strcmp(op, "read") && i + 1 < argc) {
            const char *path = argv[++i];
            int fd = open(path, O_RDONLY);
            if (fd < 0) { report(op, -1); continue; }
            char buf[256];
            ssize_t n = read(fd, buf, sizeof buf);
            if (n < 0) report(op, -1); else printf("%s: %zd bytes\n", op, n);
        } else if (!strcmp(op, "alloc") && i + 1 < argc) {
            long mb = atol(argv[++i]);
            for (long m = 0; m < mb; m++) {
                char *p = malloc(1 << 20);
                if (!p) { report(op, -1); break; }
                memset(p, 1, 1 << 20);
            }
            printf("%s: ok\n", op);
        } else if (!strcmp(op, "fork") && i + 1 < argc) {
            int n = atoi(argv[++i]), ok = 0, err = 0;
            for (int k = 0; k < n; k++) {
                pid_t p = fork();
                if (p == 0) { sleep(2); _exit(0); }
                if (p < 0) { err = errno; break; }
                ok++;
            }
            printf("fork: %d started%s%s\n", ok, err ? ", then " : "", err ? name(err) : "");
            while (wait(NULL) > 0) {}
        } else {
            fprintf(stderr, "sysprobe: unknown op %s\n", op);
            return 2;
        }
    }
    return 0;
}
