import CleoDomain
import CleoIngest
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why the path does not give a log to read (cli.md exit statuses: a missing log is waited for;
/// the rest are errors, or what `--follow` and the console say they wait for).
public enum LogOpenError: Error, Equatable, CustomStringConvertible {
    case missing(path: String)
    /// A FIFO, a device, a directory, a socket: never read (a FIFO would block or steal a
    /// writer's data, `/dev/zero` never ends).
    case notARegularFile(path: String, kind: String)
    case permissionDenied(path: String)
    case failed(path: String, errno: Int32)

    public var description: String {
        switch self {
        case .missing(let path): return "the events log \(path) does not exist"
        case .notARegularFile(let path, let kind): return "the events log \(path) is \(kind), not a regular file"
        case .permissionDenied(let path): return "the events log \(path) exists but this user may not read it (permission denied)"
        case .failed(let path, let code): return "the events log \(path) cannot be opened: \(String(cString: strerror(code)))"
        }
    }
}

/// An open events log: its identity and the reads the follower needs. Never writes.
final class LogFile: LogIdentity {
    let fd: Int32
    let name: String
    /// The name a position records: the file's own path when `name` was a symlink to it as it
    /// was opened (a later follower looks for the file there once the link has moved on), else `name`.
    let recordedName: String
    let device: UInt64
    let inode: UInt64

    /// How many of the first bytes identify the file's content (truncation detection).
    static let headLimit = 4096
    /// A chunk read at once.
    static let chunkSize = 4 << 20

    /// Opens `path` if it names a regular file. Non-blocking, so that a FIFO cannot hang us
    /// before `fstat` tells what it is.
    static func open(_ path: String) -> Result<LogFile, LogOpenError> {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else {
            switch errno {
            case ENOENT, ENOTDIR: return .failure(.missing(path: path))
            case EACCES, EPERM: return .failure(.permissionDenied(path: path))
            default: return .failure(.failed(path: path, errno: errno))
            }
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            return .failure(.failed(path: path, errno: code))
        }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else {
            close(fd)
            let kind: String
            switch type {
            case S_IFIFO: kind = "a FIFO"
            case S_IFDIR: kind = "a directory"
            case S_IFCHR: kind = "a character device"
            case S_IFBLK: kind = "a block device"
            case S_IFSOCK: kind = "a socket"
            default: kind = "not a file"
            }
            return .failure(.notARegularFile(path: path, kind: kind))
        }
        return .success(LogFile(fd: fd, name: path, recordedName: target(ofSymlink: path, opened: info) ?? path, info: info))
    }

    /// Where the symlink `path` points, when it is one and still names the file just opened.
    private static func target(ofSymlink path: String, opened: stat) -> String? {
        var link = stat()
        guard lstat(path, &link) == 0, link.st_mode & S_IFMT == S_IFLNK, let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        let target = String(cString: resolved)
        var info = stat()
        guard stat(target, &info) == 0, info.st_dev == opened.st_dev, info.st_ino == opened.st_ino else { return nil }
        return target
    }

    private init(fd: Int32, name: String, recordedName: String, info: stat) {
        self.fd = fd
        self.name = name
        self.recordedName = recordedName
        self.device = UInt64(info.st_dev)
        self.inode = UInt64(info.st_ino)
    }

    deinit { close(fd) }

    var size: Int64 {
        var info = stat()
        return fstat(fd, &info) == 0 ? Int64(info.st_size) : 0
    }

    /// Up to `count` bytes at `offset`: fewer at the end of the file. The buffer is not zeroed
    /// first (a 4 MiB chunk zeroed at every look at a live log was most of a quiet follower's CPU).
    func read(at offset: Int64, count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var total = 0
            while total < count {
                let n = pread(fd, buffer.baseAddress! + total, count - total, off_t(offset) + off_t(total))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                total += n
            }
            initialized = total
        }
    }

    /// FNV-1a 64 of the first `length` bytes; nil when the file is now shorter.
    func headHash(length: Int64) -> [UInt8]? {
        let bytes = read(at: 0, count: Int(length))
        guard bytes.count == Int(length) else { return nil }
        return HeadHash.of(bytes)
    }

    /// Finds the file a position was recorded on, by identity *and* first bytes: beside `path`,
    /// or beside where `path` now resolves (a symlink re-pointed from one dated file to the next
    /// keeps them in the target's folder). The hash matters: a freed inode is soon reused (by
    /// SQLite's WAL beside it, say), and a different file must never be read as the old log.
    static func find(_ position: FollowerPosition, besides path: String) -> LogFile? {
        var folders = [(path as NSString).deletingLastPathComponent]
        if let resolved = realpath(path, nil) {
            folders.append((String(cString: resolved) as NSString).deletingLastPathComponent)
            free(resolved)
        }
        folders.append((position.file as NSString).deletingLastPathComponent)
        var seen = Set<String>()
        for folder in folders.map({ $0.isEmpty ? "." : $0 }) where seen.insert(folder).inserted {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            for name in names.sorted() {
                let candidate = (folder as NSString).appendingPathComponent(name)
                var info = stat()
                guard lstat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG,
                      UInt64(info.st_dev) == position.device, UInt64(info.st_ino) == position.inode,
                      case .success(let file) = open(candidate), file.isFile(of: position) else { continue }
                return file
            }
        }
        return nil
    }

    /// When the file was last written.
    var modified: timespec {
        var info = stat()
        return fstat(fd, &info) == 0 ? info.st_mtim : timespec()
    }

    /// The files rotated after `old` and before `current` took the name `path` — the log rotated
    /// more than once while nothing followed it (`events.jsonl.2` is `old`, `events.jsonl.1` was
    /// written between): regular files beside `path` named as logrotate names them (its name
    /// then `.N` or `-DATE`), not compressed, neither `current` nor one in `finished` (the
    /// caller's, `old` among them), last written strictly after `old` was; oldest first. An archive from before `old` was last
    /// written is not one (strictly: file times tick coarsely, and a file read twice would be
    /// applied twice — a file between written in the same tick as `old` is missed instead).
    static func rotatedBetween(old: LogFile, current: LogFile, besides path: String, finished: Set<[UInt64]>) -> [LogFile] {
        let folder = (path as NSString).deletingLastPathComponent
        let base = (path as NSString).lastPathComponent
        let since = old.modified
        func after(_ a: timespec, _ b: timespec) -> Bool { a.tv_sec > b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec > b.tv_nsec) }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder) else { return [] }
        var found: [(file: LogFile, modified: timespec)] = []
        for name in names where name.count > base.count && name.hasPrefix(base) {
            let rest = name.dropFirst(base.count)
            guard rest.first == "." || rest.first == "-",
                  ![".gz", ".bz2", ".xz", ".zst", ".lz4", ".z"].contains(where: { name.hasSuffix($0) }) else { continue }
            let candidate = (folder as NSString).appendingPathComponent(name)
            var info = stat()
            guard lstat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG, after(info.st_mtim, since),
                  !finished.contains([UInt64(info.st_dev), UInt64(info.st_ino)]),
                  !(UInt64(info.st_dev) == current.device && UInt64(info.st_ino) == current.inode),
                  case .success(let file) = open(candidate) else { continue }
            found.append((file, info.st_mtim))
        }
        return found.sorted { a, b in
            (a.modified.tv_sec, a.modified.tv_nsec, a.file.name) < (b.modified.tv_sec, b.modified.tv_nsec, b.file.name)
        }.map(\.file)
    }

    /// Reads complete lines from `offset` (line number `line`), up to `maxLines` or `maxBytes`.
    /// A partial last line is left for later; a line over 1 MiB is never held whole in memory.
    /// 16 MiB: a bulk load's 25,000 lines of a few hundred bytes fit whole, while a backlog of
    /// 1 MiB lines is no longer read 64 at a time (two batches in flight held 500 MB).
    func readLines(from offset: Int64, line: Int64, maxLines: Int, maxBytes: Int = 16 << 20, fileName: String) -> (lines: [LogLine], offset: Int64, line: Int64) {
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
                let (pieces, consumed) = LineSplitter.split(buffer, maxLines: maxLines - lines.count)
                for piece in pieces {
                    let lineOffset = position + Int64(piece.start)
                    if piece.length > limit {
                        lines.append(.tooLong(file: fileName, line: lineNumber, offset: lineOffset,
                                              head: Array(buffer[piece.start..<(piece.start + LogLine.keptRawBytes)]), length: piece.length))
                    } else {
                        lines.append(.parsed(file: fileName, line: lineNumber, offset: lineOffset,
                                             bytes: Array(buffer[piece.start..<(piece.start + piece.length)])))
                    }
                    lineNumber += 1
                    bytesTaken += piece.length + 1
                }
                start = consumed
                progressed = !pieces.isEmpty
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
