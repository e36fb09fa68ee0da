import CleoDomain
import CleoStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An open events log: its identity and the reads the follower needs. Never writes.
final class LogFile {
    let fd: Int32
    let name: String
    let device: UInt64
    let inode: UInt64

    /// How many of the first bytes identify the file's content (truncation detection).
    static let headLimit = 4096
    /// A chunk read at once.
    static let chunkSize = 4 << 20

    init?(path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            return nil
        }
        self.fd = fd
        self.name = path
        self.device = UInt64(info.st_dev)
        self.inode = UInt64(info.st_ino)
    }

    deinit { close(fd) }

    var size: Int64 {
        var info = stat()
        return fstat(fd, &info) == 0 ? Int64(info.st_size) : 0
    }

    func read(at offset: Int64, count: Int) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var total = 0
        while total < count {
            let n = buffer.withUnsafeMutableBytes { raw in
                pread(fd, raw.baseAddress! + total, count - total, off_t(offset) + off_t(total))
            }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            total += n
        }
        buffer.removeLast(count - total)
        return buffer
    }

    /// FNV-1a 64 of the first `length` bytes; nil when the file is now shorter.
    func headHash(length: Int64) -> [UInt8]? {
        let bytes = read(at: 0, count: Int(length))
        guard bytes.count == Int(length) else { return nil }
        return Self.fnv1a(bytes)
    }

    static func fnv1a(_ bytes: [UInt8]) -> [UInt8] {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return withUnsafeBytes(of: hash.bigEndian, Array.init)
    }

    /// Finds a file beside `path` (same folder) with the given identity and the same first bytes:
    /// where a rotated log went. The hash matters: a freed inode is soon reused (by SQLite's WAL
    /// beside it, say), and a different file must never be read as the old log.
    static func findByIdentity(besides path: String, device: UInt64, inode: UInt64, headLength: Int64, headHash: [UInt8]) -> LogFile? {
        let directory = (path as NSString).deletingLastPathComponent
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory) else { return nil }
        for name in names.sorted() {
            let candidate = ((directory.isEmpty ? "." : directory) as NSString).appendingPathComponent(name)
            var info = stat()
            guard stat(candidate, &info) == 0, UInt64(info.st_dev) == device, UInt64(info.st_ino) == inode,
                  let file = LogFile(path: candidate), file.device == device, file.inode == inode else { continue }
            if headLength > 0 && file.headHash(length: headLength) != headHash { return nil }
            return file
        }
        return nil
    }

    /// Reads complete lines from `offset` (line number `line`), up to `maxLines` or `maxBytes`.
    /// A partial last line is left for later; a line over 1 MiB is never held whole in memory.
    func readLines(from offset: Int64, line: Int64, maxLines: Int, maxBytes: Int = 64 << 20, fileName: String) -> (lines: [LogLine], offset: Int64, line: Int64) {
        var lines: [LogLine] = []
        var position = offset
        var lineNumber = line
        var bytesTaken = 0
        let limit = WebhookLineParser.maximumLineBytes
        while lines.count < maxLines && bytesTaken < maxBytes {
            let chunk = read(at: position, count: Self.chunkSize)
            if chunk.isEmpty { break }
            var start = 0
            var progressed = false
            chunk.withUnsafeBufferPointer { buffer in
                while start < buffer.count && lines.count < maxLines {
                    let remaining = buffer.count - start
                    guard let lf = memchr(buffer.baseAddress! + start, 0x0A, remaining) else { break }
                    let end = buffer.baseAddress!.distance(to: lf.assumingMemoryBound(to: UInt8.self))
                    let length = end - start
                    if length > limit {
                        lines.append(.tooLong(file: fileName, line: lineNumber, offset: position + Int64(start),
                                              head: Array(buffer[start..<(start + LogLine.keptRawBytes)]), length: length))
                    } else {
                        let bytes = Array(buffer[start..<end])
                        lines.append(.parsed(file: fileName, line: lineNumber, offset: position + Int64(start), bytes: bytes))
                    }
                    lineNumber += 1
                    bytesTaken += length + 1
                    start = end + 1
                    progressed = true
                }
            }
            position += Int64(start)
            if lines.count >= maxLines { break }
            if !progressed {
                // No LF in a whole chunk from a line start: a line of at least 4 MiB, or a
                // partial line at the end of the file.
                if chunk.count < Self.chunkSize { break }  // partial last line: wait for its LF
                guard let length = scanLongLine(from: position) else { break }
                lines.append(.tooLong(file: fileName, line: lineNumber, offset: position,
                                      head: Array(chunk.prefix(LogLine.keptRawBytes)), length: length))
                lineNumber += 1
                position += Int64(length) + 1
            } else if chunk.count < Self.chunkSize {
                break  // what is left is a partial line
            }
        }
        return (lines, position, lineNumber)
    }

    /// Finds the LF ending a very long line without keeping it: its length, or nil if not written yet.
    private func scanLongLine(from start: Int64) -> Int? {
        var position = start
        while true {
            let chunk = read(at: position, count: Self.chunkSize)
            if chunk.isEmpty { return nil }
            let found: Int? = chunk.withUnsafeBufferPointer { buffer in
                guard let lf = memchr(buffer.baseAddress!, 0x0A, buffer.count) else { return nil }
                return buffer.baseAddress!.distance(to: lf.assumingMemoryBound(to: UInt8.self))
            }
            if let found { return Int(position - start) + found }
            position += Int64(chunk.count)
        }
    }
}
