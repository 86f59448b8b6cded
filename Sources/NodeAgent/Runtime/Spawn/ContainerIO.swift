/// Where the container's stdio goes: -1 inherits the caller's descriptor. The agent passes
/// the write ends of its log pipes here.
public struct ContainerIO: Sendable, Equatable {
    public var stdin: Int32
    public var stdout: Int32
    public var stderr: Int32
    /// A connected unix socket that receives the pty master when process.terminal is set
    /// (runc's --console-socket); -1 when there is no terminal.
    public var consoleSocket: Int32

    public init(stdin: Int32 = -1, stdout: Int32 = -1, stderr: Int32 = -1, consoleSocket: Int32 = -1) {
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.consoleSocket = consoleSocket
    }

    public static let inherit = ContainerIO()
}
