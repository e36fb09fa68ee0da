import CleoDomain
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where `serve` keeps its `ServiceState`: `console.db.serve-state` beside the database, so every
/// console on that database finds it, with the database's read access (a support user who may
/// read the database by its access-list entry reads it too; nobody who may not, reads it).
public enum ServiceStateFile {
    public static func path(forDatabase database: String) -> String { database + ".serve-state" }

    /// The last state a serve wrote for this database; nil when none ever ran (or the file is torn).
    public static func read(forDatabase database: String) -> ServiceState? {
        guard let data = FileManager.default.contents(atPath: path(forDatabase: database)), data.count < 4_096 else { return nil }
        return ServiceState.decode(Array(data))
    }

    /// Replaces the file whole (a reader never sees half a state): a new file, owner-only until it
    /// has the database's read access, then renamed over the old one. No fsync: it is advice, not data.
    @discardableResult
    public static func write(_ text: String, forDatabase database: String) -> Bool {
        let target = path(forDatabase: database)
        let temporary = target + ".tmp-\(getpid())"
        unlink(temporary)  // one left by a killed serve of the same pid
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        ReadAccessCopy.apply(from: database, to: fd)
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count, rename(temporary, target) == 0 else {
            unlink(temporary)
            return false
        }
        return true
    }
}
