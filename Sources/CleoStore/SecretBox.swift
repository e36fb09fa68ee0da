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

    public func seal(_ secret: String) throws -> Data {
        try AES.GCM.seal(Data(secret.utf8), using: key).combined!
    }

    public func open(_ sealed: Data) throws -> String {
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            return String(decoding: try AES.GCM.open(box, using: key), as: UTF8.self)
        } catch {
            throw StoreError.keyFileWrong(path: path)
        }
    }

    func makeCheck() throws -> Data { try AES.GCM.seal(Self.checkPlaintext, using: key).combined! }

    func verify(check: Data) throws {
        guard (try? open(check)) == String(decoding: Self.checkPlaintext, as: UTF8.self) else {
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
