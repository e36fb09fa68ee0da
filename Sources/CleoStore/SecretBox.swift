import CleoDomain
import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Seals the regional API keys at rest with AES-GCM under a 256-bit key kept in a key file
/// (owner-only, created on first use). The database holds a check value, so a wrong or lost key
/// file is recognised before anything is written.
public struct SecretBox: @unchecked Sendable {  // SymmetricKey is an immutable value
    private let key: SymmetricKey
    public let path: String

    /// What the check value seals: opening it proves the key file belongs to this database.
    static let checkPlaintext = Data("cleo-console key check v1".utf8)

    init(key: SymmetricKey, path: String) {
        self.key = key
        self.path = path
    }

    /// The first byte of a value sealed bound to its column (format 2). Format 1 (before) was
    /// AES-GCM's combined form alone, bound to nothing: a sealed key copied into another region's
    /// column opened there unnoticed.
    static let boundFormat: UInt8 = 0x02

    static func associatedData(_ column: String) -> Data { Data("cleo-console sealed \(column)".utf8) }

    /// Seals `secret` for `column`: the column's name is AES-GCM's associated data, so the value
    /// opens in that column only.
    public func seal(_ secret: String, boundTo column: String) throws -> Data {
        var out = Data([Self.boundFormat])
        out.append(try AES.GCM.seal(Data(secret.utf8), using: key, authenticating: Self.associatedData(column)).combined!)
        return out
    }

    /// Opens a value sealed for `column`; a value of another column, an altered one or a format-1
    /// value is `SealedValueMismatch` (the key itself was checked: it is not the key file).
    public func open(_ sealed: Data, boundTo column: String) throws -> String {
        guard let text = try? openBound(sealed, column: column) else { throw SealedValueMismatch(column: column) }
        return text
    }

    func openBound(_ sealed: Data, column: String) throws -> String {
        guard sealed.first == Self.boundFormat else { throw SealedValueMismatch(column: column) }
        let box = try AES.GCM.SealedBox(combined: sealed.dropFirst())
        return String(decoding: try AES.GCM.open(box, using: key, authenticating: Self.associatedData(column)), as: UTF8.self)
    }

    /// The key of the fingerprints (`SecretMask.fingerprint(_:keyedBy:)`), derived from the
    /// key file's: it lives with the key file, never in the database.
    public func fingerprint(_ secret: String) -> String {
        let fingerprintKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data("cleo-console fingerprint v1".utf8), outputByteCount: 32)
        return SecretMask.fingerprint(secret, keyedBy: fingerprintKey)
    }

    /// Mask and keyed fingerprint, as the audit trail and the hints show a key.
    public func display(_ secret: String) -> String { SecretMask.mask(secret) + " " + fingerprint(secret) }

    /// Format 1, for the check value and for re-sealing what an earlier version stored.
    func sealUnbound(_ secret: String) throws -> Data {
        try AES.GCM.seal(Data(secret.utf8), using: key).combined!
    }

    func openUnbound(_ sealed: Data) throws -> String {
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            return String(decoding: try AES.GCM.open(box, using: key), as: UTF8.self)
        } catch {
            throw StoreError.keyFileWrong(path: path)
        }
    }

    func makeCheck() throws -> Data { try AES.GCM.seal(Self.checkPlaintext, using: key).combined! }

    func verify(check: Data) throws {
        guard (try? openUnbound(check)) == String(decoding: Self.checkPlaintext, as: UTF8.self) else {
            throw StoreError.keyFileWrong(path: path)
        }
    }

    /// Reads the key file; nil when it does not exist.
    static func load(path: String) throws -> SecretBox? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError.keyFileUnreadable(path: path, reason: "permission denied")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let raw = Data(base64Encoded: text), raw.count == 32 else {
            throw StoreError.keyFileUnreadable(path: path, reason: "not a cleo-console key file (expected 32 bytes in base64)")
        }
        return SecretBox(key: SymmetricKey(data: raw), path: path)
    }

    /// Creates a new key file with O_EXCL (owner-only); if another process won the race, reads theirs.
    static func create(path: String) throws -> SecretBox {
        try FileSystem.createDirectories((path as NSString).deletingLastPathComponent)
        let key = SymmetricKey(size: .bits256)
        let text = key.withUnsafeBytes { Data($0).base64EncodedString() } + "\n"
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            if errno == EEXIST, let existing = try load(path: path) { return existing }
            throw StoreError.cannotCreate(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard write(fd, bytes, bytes.count) == bytes.count, fsync(fd) == 0 else {
            throw StoreError.cannotCreate(path: path, reason: String(cString: strerror(errno)))
        }
        return SecretBox(key: key, path: path)
    }
}

/// A sealed value that does not open in its column under the right key: moved from another
/// column, altered, or of an unbound format after the database's values were bound.
public struct SealedValueMismatch: Error, CustomStringConvertible, Equatable, Sendable {
    public let column: String
    public var description: String {
        "the sealed \(column) in the database does not belong to that field (copied from another field or altered): set \(column) again; nothing was changed"
    }
}
