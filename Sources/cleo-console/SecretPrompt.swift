import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads a value from standard input; on a terminal, prompts on standard error, without echo
/// for a secret. Ctrl-C, SIGTERM, SIGHUP or SIGQUIT at the prompt give the terminal its echo back
/// before the process dies of the signal.
enum SecretPrompt {
    /// More than any field allows; a longer input is cut here and refused by its field's rule.
    static let maximumBytes = 1 << 20

    /// The terminal's settings before echo went off, for the signal handler (async-signal-safe:
    /// only tcsetattr, write and raise run there).
    nonisolated(unsafe) private static let saved = UnsafeMutablePointer<termios>.allocate(capacity: 1)
    private static let restoringSignals = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    static func read(prompt: String, secret: Bool) throws -> String {
        let isTerminal = isatty(STDIN_FILENO) == 1
        var quietened = false
        if isTerminal {
            StandardOutput.rawError(prompt)
            if secret, tcgetattr(STDIN_FILENO, saved) == 0 {
                for signal in restoringSignals { Glibc.signal(signal, restoreAndDie) }
                var quiet = saved.pointee
                quiet.c_lflag &= ~tcflag_t(ECHO)
                tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
                quietened = true
            }
        }
        defer {
            if quietened {
                tcsetattr(STDIN_FILENO, TCSAFLUSH, saved)
                for signal in restoringSignals { Glibc.signal(signal, SIG_DFL) }
                StandardOutput.rawError("\n")
            }
        }
        var data = isTerminal ? Data((readLine(strippingNewline: false) ?? "").utf8) : try readAll()
        if data.last == 0x0A { data.removeLast() }
        if data.last == 0x0D { data.removeLast() }
        guard let text = String(data: data, encoding: .utf8) else { throw Failure.data("the value is not valid UTF-8; nothing was stored") }
        return text
    }

    /// Standard input to its end (or `maximumBytes`), with read errors as errors (FileHandle traps).
    private static func readAll() throws -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while data.count < maximumBytes {
            let count = Glibc.read(STDIN_FILENO, &buffer, min(buffer.count, maximumBytes - data.count))
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure.general("cannot read standard input: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            data.append(contentsOf: buffer[0..<count])
        }
        return data
    }

    private static let restoreAndDie: @convention(c) (Int32) -> Void = { signal in
        tcsetattr(STDIN_FILENO, TCSAFLUSH, SecretPrompt.saved)
        var newline: UInt8 = 0x0A
        _ = Glibc.write(STDERR_FILENO, &newline, 1)
        Glibc.signal(signal, SIG_DFL)
        raise(signal)
    }
}
