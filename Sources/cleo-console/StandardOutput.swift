import TerminalCanvas
#if canImport(Glibc)
import Glibc
#endif

/// The one path every command's output takes: write(2) on descriptors 1 and 2, results checked.
/// (Foundation's `FileHandle.write` traps — SIGILL, exit 132 — when a write fails.) SIGPIPE is
/// ignored at start, so a closed pipe is EPIPE here and an error like a full disk (exit 74).
enum StandardOutput {
    /// The first write error on standard output; once set, nothing more is written there.
    nonisolated(unsafe) private static var failure: Int32 = 0

    static var hasFailed: Bool { failure != 0 }

    /// At the start of the process: a closed pipe must become a write error, not a silent death.
    static func prepare() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// Writes `text` and a newline to standard output; throws `Failure.output` when the bytes
    /// could not all be written. What must not be recorded as done before it left uses this.
    static func write(_ text: String, terminator: String = "\n") throws {
        if failure != 0 { throw Failure.output(describe(failure)) }
        let error = writeAll(STDOUT_FILENO, Array((text + terminator).utf8))
        if error != 0 {
            failure = error
            throw Failure.output(describe(error))
        }
    }

    /// Like `write`, for paths that cannot throw: the failure is kept and reported by `check`.
    static func print(_ text: String) {
        try? write(text)
    }

    /// Throws the standard-output failure of this process, if any (the end of every command).
    static func check() throws {
        if failure != 0 { throw Failure.output(describe(failure)) }
    }

    /// One line on standard error, sanitised like data (paths and names in messages come from
    /// the user). Errors are ignored: there is nowhere left to say them.
    static func error(_ text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { TerminalText.sanitized(String($0)) }
        _ = writeAll(STDERR_FILENO, Array((lines.joined(separator: "\n") + "\n").utf8))
    }

    /// Text on standard error without a newline or sanitising (progress lines we compose ourselves).
    static func rawError(_ text: String) {
        _ = writeAll(STDERR_FILENO, Array(text.utf8))
    }

    /// Writes every byte (retrying short writes and EINTR); returns 0 or the errno.
    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32 {
        bytes.withUnsafeBytes { buffer -> Int32 in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if written == 0 { return EIO }
                offset += written
            }
            return 0
        }
    }

    private static func describe(_ error: Int32) -> String {
        "cannot write to standard output: \(String(cString: strerror(error)))"
    }
}

func printOut(_ text: String) {
    StandardOutput.print(text)
}

func printErr(_ text: String) {
    StandardOutput.error(text)
}
