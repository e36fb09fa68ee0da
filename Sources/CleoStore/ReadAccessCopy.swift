import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Gives a file made beside the database the database's *read* access: its mode's read bits and
/// its POSIX access list (the support group's `r` entry of "Running it for a team"), with every
/// write and search bit dropped. Whoever may read the database may read the file, and nobody else.
/// The access list travels as the kernel's own bytes (`system.posix_acl_access`): no libacl.
enum ReadAccessCopy {
    /// `fchmod`s `descriptor` (a file this process just made) and copies the list; false if the
    /// database could not be looked at (the file then stays owner-only).
    @discardableResult
    static func apply(from database: String, to descriptor: Int32) -> Bool {
        var info = stat()
        guard stat(database, &info) == 0 else { return false }
        // Owner read and write (serve replaces it), the others' read bits as the database has them.
        _ = fchmod(descriptor, (info.st_mode & 0o044) | 0o600)
        guard let list = accessList(of: database) else { return true }
        let copied = readOnly(list)
        // A file system without access lists has none on the database either: nothing lost.
        if let setList { _ = copied.withUnsafeBytes { setList(descriptor, name, $0.baseAddress, $0.count, 0) } }
        return true
    }

    static let name = "system.posix_acl_access"

    /// The list's bytes (a version-2 header, then tag u16, permissions u16, id u32 per entry,
    /// little-endian), or nil when there is none beyond the mode.
    static func accessList(of path: String) -> [UInt8]? {
        guard let getList else { return nil }
        for _ in 0..<4 {  // the list may grow between the two calls: ask again (bounded)
            let size = getList(path, name, nil, 0)
            guard size > 0 else { return nil }
            var bytes = [UInt8](repeating: 0, count: size)
            let got = getList(path, name, &bytes, bytes.count)
            if got >= 0 { return Array(bytes.prefix(got)) }
            if errno != ERANGE { return nil }
        }
        return nil
    }

    /// The same entries, the owner's `rw-`, every other entry's read bit only (the mask too, so
    /// a named entry never writes through it).
    static func readOnly(_ list: [UInt8]) -> [UInt8] {
        var bytes = list
        var offset = 4
        while offset + 8 <= bytes.count {
            let tag = UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
            bytes[offset + 2] = tag == 0x01 ? 6 : bytes[offset + 2] & 4
            bytes[offset + 3] = 0
            offset += 8
        }
        return bytes
    }

    // glibc has getxattr/fsetxattr; Swift's Glibc module does not declare them (no sys/xattr.h).
    typealias GetXattr = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeMutableRawPointer?, Int) -> Int
    typealias FSetXattr = @convention(c) (Int32, UnsafePointer<CChar>, UnsafeRawPointer?, Int, Int32) -> Int32
    nonisolated(unsafe) static let getList: GetXattr? = dlsym(nil, "getxattr").map { unsafeBitCast($0, to: GetXattr.self) }
    nonisolated(unsafe) static let setList: FSetXattr? = dlsym(nil, "fsetxattr").map { unsafeBitCast($0, to: FSetXattr.self) }
}
