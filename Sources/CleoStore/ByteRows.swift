import CleoDomain
import Foundation
import GRDB
import GRDBSQLite

/// Reads rows through SQLite's C API by byte length. GRDB reads and binds text as C strings
/// (`String(cString:)`, length -1), so a value with an escaped NUL (`"ORDER-77\u0000"`, valid
/// JSON and valid UTF-8) came back cut at the NUL: a later run's lookup missed its transaction
/// and every later event was applied to the wrong one or failed on `UNIQUE`. Every read of data
/// that came from the log goes through here; every bind of it through `RawStatement` or `ByteText`.
struct ByteRow {
    let handle: OpaquePointer
    let columns: [String: Int32]

    func int(_ name: String) -> Int64 { sqlite3_column_int64(handle, index(name)) }

    func optionalInt(_ name: String) -> Int64? {
        let i = index(name)
        return sqlite3_column_type(handle, i) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, i)
    }

    func bool(_ name: String) -> Bool { int(name) != 0 }

    /// The column's text with every byte, NULs included (the store only holds valid UTF-8).
    func optionalText(_ name: String) -> String? {
        let i = index(name)
        guard sqlite3_column_type(handle, i) != SQLITE_NULL else { return nil }
        let count = Int(sqlite3_column_bytes(handle, i))  // after column_text: the UTF-8 length
        guard count > 0, let base = sqlite3_column_text(handle, i) else { return "" }
        return String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self)
    }

    func text(_ name: String) -> String { optionalText(name) ?? "" }

    func blob(_ name: String) -> [UInt8] {
        let i = index(name)
        let base = sqlite3_column_blob(handle, i)
        let count = Int(sqlite3_column_bytes(handle, i))
        guard let base, count > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// The column's bytes lent to `body`, not copied (valid only within it).
    func withBlob<T>(_ name: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        let i = index(name)
        let base = sqlite3_column_blob(handle, i)
        let count = Int(sqlite3_column_bytes(handle, i))
        guard let base, count > 0 else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: count))
    }

    private func index(_ name: String) -> Int32 {
        guard let i = columns[name] else { preconditionFailure("no column \(name) in the statement") }
        return i
    }
}

/// A value bound by its byte length (see `ByteRow`): text, integer, blob or NULL.
enum ByteValue {
    case text(String?)
    case int(Int64?)
    case blob([UInt8])
}

extension Database {
    /// Runs `sql` with `arguments` bound by byte length and calls `body` for each row; stops
    /// when `body` returns false.
    func forEachByteRow(_ sql: String, _ arguments: [ByteValue] = [], cached: Bool = true,
                        _ body: (ByteRow) throws -> Bool) throws {
        let statement = cached ? try cachedStatement(sql: sql) : try makeStatement(sql: sql)
        let raw = RawStatement(statement, in: self)
        for (offset, argument) in arguments.enumerated() {
            let index = Int32(offset + 1)
            switch argument {
            case .text(let value): raw.bind(index, value)
            case .int(let value): raw.bind(index, value)
            case .blob(let value): raw.bind(index, blob: value)
            }
        }
        let handle = statement.sqliteStatement
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        var columns: [String: Int32] = [:]
        for i in 0..<sqlite3_column_count(handle) {
            columns[String(cString: sqlite3_column_name(handle, i))] = i
        }
        let row = ByteRow(handle: handle, columns: columns)
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqliteConnection)))
            }
            if try !body(row) { return }
        }
    }

    /// Every row of `sql`, each mapped by `transform`.
    func byteRows<T>(_ sql: String, _ arguments: [ByteValue] = [], cached: Bool = true, _ transform: (ByteRow) throws -> T) throws -> [T] {
        var out: [T] = []
        try forEachByteRow(sql, arguments, cached: cached) { row in
            out.append(try transform(row))
            return true
        }
        return out
    }

    /// The first row of `sql`, mapped by `transform`.
    func firstByteRow<T>(_ sql: String, _ arguments: [ByteValue] = [], _ transform: (ByteRow) throws -> T) throws -> T? {
        var out: T?
        try forEachByteRow(sql, arguments) { row in
            out = try transform(row)
            return false
        }
        return out
    }
}
