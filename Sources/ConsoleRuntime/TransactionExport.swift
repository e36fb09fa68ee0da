import CleoDomain
import CleoStore
import ConsoleUI
import Foundation
import TerminalCanvas
#if canImport(Glibc)
import Glibc
#endif

/// `:export FILE`: the filtered list as `tx list --csv` writes it, into a temporary file beside
/// FILE (created with O_EXCL and O_NOFOLLOW, owner-only) that becomes FILE only once it is
/// whole and on disk. FILE is never followed when it is a symbolic link, never replaced unless
/// the operator said so, and a folder, device or FIFO at FILE is refused — a half-written or
/// redirected export is worse than none.
public enum TransactionExport {
    /// Rows read per page (keyset on seq, never the whole list in memory).
    static let pageSize = 2_000

    public static func run(_ request: ExportRequest, database: AppDatabase, workingDirectory: String = FileManager.default.currentDirectoryPath,
                           time: (Timestamp) -> String = operatorTime) -> ExportOutcome {
        var path = request.path
        if path == "~" || path.hasPrefix("~/") { path = NSHomeDirectory() + path.dropFirst() }
        if !path.hasPrefix("/") { path = (workingDirectory as NSString).appendingPathComponent(path) }
        let shown = TerminalText.sanitized(request.path)
        var info = stat()
        if lstat(path, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFLNK: return .failed(path: request.path, reason: "\(shown) is a symbolic link: not followed, nothing written (name a new file)")
            case S_IFDIR: return .failed(path: request.path, reason: "\(shown) is a folder: name a file in it")
            case S_IFREG: if !request.overwrite { return .exists(path: request.path) }
            default: return .failed(path: request.path, reason: "\(shown) is not a regular file (a device or FIFO): nothing written")
            }
        } else if errno != ENOENT {
            return .failed(path: request.path, reason: "\(shown): \(describe(errno, folder: nil)) — nothing written")
        }
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary = (folder as NSString).appendingPathComponent(".\(name).cleo-export-\(UUID().uuidString.prefix(8))")
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return .failed(path: request.path, reason: "\(describe(errno, folder: folder)) — nothing written") }
        var written = 0
        let failure: String? = {
            defer { close(fd) }
            do {
                try writeAll(fd, TransactionCSV.headerLine + "\n")
                var query = request.query
                query.limit = pageSize
                query.cursor = .newest
                while true {
                    let page = try database.transactions(query)
                    var chunk = ""
                    for row in page { chunk += TransactionCSV.line(row, time: time) + "\n" }
                    try writeAll(fd, chunk)
                    written += page.count
                    guard page.count == pageSize, let last = page.last else { break }
                    query.cursor = .olderThan(last.seq)
                }
                if fsync(fd) != 0 { throw WriteError(code: errno) }
                return nil
            } catch let error as WriteError {
                return describe(error.code, folder: folder)
            } catch {
                return "database: \(error)"
            }
        }()
        if let failure {
            unlink(temporary)
            return .failed(path: request.path, reason: "\(failure) — \(shown) not written")
        }
        // Not replacing: link fails if FILE appeared meanwhile (a symlink too), so nothing is
        // ever clobbered. Replacing (confirmed): rename replaces the name, never a link's target.
        let placed = request.overwrite ? rename(temporary, path) : link(temporary, path)
        let placeError = errno
        if !request.overwrite || placed != 0 { unlink(temporary) }
        if placed != 0 {
            if placeError == EEXIST { return .exists(path: request.path) }
            return .failed(path: request.path, reason: "\(describe(placeError, folder: folder)) — \(shown) not written")
        }
        return .written(path: request.path, rows: written)
    }

    struct WriteError: Error { var code: Int32 }

    static func writeAll(_ fd: Int32, _ text: String) throws {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw WriteError(code: errno)
            }
            offset += n
        }
    }

    /// An errno in the operator's words.
    static func describe(_ code: Int32, folder: String?) -> String {
        let place = folder.map { " in \(TerminalText.sanitized($0))" } ?? ""
        switch code {
        case EACCES, EPERM: return "no permission to write\(place)"
        case ENOSPC, EDQUOT: return "the disk is full"
        case EROFS: return "the file system is read-only"
        case ENOENT: return "the folder\(folder.map { " " + TerminalText.sanitized($0) } ?? "") does not exist"
        case ENOTDIR: return "a part of the path\(folder.map { " " + TerminalText.sanitized($0) } ?? "") is not a folder"
        case EISDIR: return "a folder is in the way"
        case ENAMETOOLONG: return "the name is too long"
        default: return String(cString: strerror(code))
        }
    }

    /// RFC 3339 in the operator's zone (`TZ`), as `tx list --csv` writes it.
    public static func operatorTime(_ t: Timestamp) -> String {
        let offset = TimeZone.current.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t.millisecondsSince1970) / 1000))
        return RFC3339.format(t, offsetSeconds: offset)
    }
}
