import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The few POSIX calls the store needs: owner-only creation, advisory locks, identities.
enum FileSystem {
    /// Creates `directory` and its missing parents owner-only (0700); existing folders keep their mode.
    static func createDirectories(_ directory: String) throws {
        var missing: [String] = []
        var path = directory
        while !path.isEmpty && path != "/" && !FileManager.default.fileExists(atPath: path) {
            missing.append(path)
            path = (path as NSString).deletingLastPathComponent
        }
        for folder in missing.reversed() where mkdir(folder, 0o700) != 0 && errno != EEXIST {
            throw StoreError.cannotCreate(path: folder, reason: String(cString: strerror(errno)))
        }
    }

    /// Creates `path` empty and owner-only (0600) if it does not exist; an existing file is left alone.
    /// Returns true when this call created it.
    @discardableResult
    static func createOwnerOnlyFile(_ path: String) throws -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            if errno == EEXIST { return false }
            throw StoreError.cannotCreate(path: path, reason: String(cString: strerror(errno)))
        }
        close(fd)
        return true
    }

    /// An exclusive advisory lock held until `body` returns (flock on a lock file beside the database).
    static func withExclusiveLock<T>(_ lockPath: String, _ body: () throws -> T) throws -> T {
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError.cannotCreate(path: lockPath, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw StoreError.cannotCreate(path: lockPath, reason: String(cString: strerror(errno))) }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    static func mode(of path: String) -> mode_t? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o777 : nil
    }
}

/// Who is acting and from where, for the audit trail: the operating-system user from the
/// process's uid (not `$USER`, which anyone can set) and the SSH client address when there is one.
public struct Actor: Sendable, Equatable {
    public var user: String
    public var origin: String

    public init(user: String, origin: String) {
        self.user = user
        self.origin = origin
    }

    public static func current(environment: [String: String] = ProcessInfo.processInfo.environment) -> Actor {
        let uid = getuid()
        var user = "uid \(uid)"
        if let entry = getpwuid(uid), let name = entry.pointee.pw_name {
            user = String(cString: name)
        }
        let ssh = environment["SSH_CONNECTION"] ?? environment["SSH_CLIENT"]
        let origin = ssh?.split(separator: " ").first.map { "ssh " + String($0) } ?? "local"
        return Actor(user: user, origin: origin)
    }
}
