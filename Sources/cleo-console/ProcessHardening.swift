#if canImport(Glibc)
import Glibc
#endif

/// Turns core dumps off for this process: a crash of `config export` or the console would
/// otherwise leave every key in clear in a core file. Done first thing in every command (any
/// of them may open the key file or read a secret from standard input).
enum ProcessHardening {
    /// `prctl` is variadic in C, which Swift does not import; this is its fixed-argument shape.
    private typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
    /// <linux/prctl.h>, not in Swift's Glibc module.
    static let setDumpable: Int32 = 4

    static func disableCoreDumps() {
        var none = rlimit(rlim_cur: 0, rlim_max: 0)
        _ = setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &none)
        // Not dumpable: no core even where the limit is raised again, and no ptrace or
        // /proc/PID/mem by other processes of the same user.
        if let symbol = dlsym(nil, "prctl") {
            _ = unsafeBitCast(symbol, to: Prctl.self)(setDumpable, 0, 0, 0, 0)
        }
    }
}
