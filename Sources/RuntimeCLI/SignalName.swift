import Glibc

/// A signal as `runc kill` takes it: a number (1-64), or a name with or without "SIG", any case.
func signalNumber(_ name: String) -> Int32? {
    if let n = Int32(name), n > 0, n < 65 { return n }
    let table: [String: Int32] = [
        "HUP": SIGHUP, "INT": SIGINT, "QUIT": SIGQUIT, "KILL": SIGKILL, "USR1": SIGUSR1, "USR2": SIGUSR2,
        "TERM": SIGTERM, "STOP": SIGSTOP, "CONT": SIGCONT, "WINCH": SIGWINCH, "PIPE": SIGPIPE, "ALRM": SIGALRM,
    ]
    var key = name.uppercased()
    if key.hasPrefix("SIG") { key = String(key.dropFirst(3)) }
    return table[key]
}
