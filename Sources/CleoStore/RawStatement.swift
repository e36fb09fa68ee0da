import CleoDomain
import GRDB
import GRDBSQLite

/// Binds and steps a prepared statement through SQLite's C API: the ingest's hot inserts skip
/// `StatementArguments` (one boxed value per column per row, ~1.6× the bind cost; baselines.md
/// c5–c7). Everything else goes through GRDB.
///
/// Text and blobs of a row are copied into one reusable buffer and bound without SQLite copying
/// them again (SQLITE_STATIC): with SQLITE_TRANSIENT SQLite mallocs and frees a copy of every
/// bound string, six or eight per row. The buffer stays untouched until the row has been stepped
/// and reset (the next row's `RawStatement` starts it over).
struct RawStatement {
    let handle: OpaquePointer
    let connection: OpaquePointer?
    let scratch: BindScratch?

    /// SQLite copies bound text and blobs (SQLITE_TRANSIENT, a macro Swift cannot import).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ statement: Statement, in db: Database, scratch: BindScratch? = nil) {
        handle = statement.sqliteStatement
        connection = db.sqliteConnection
        self.scratch = scratch
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        scratch?.used = 0
    }

    /// Binds `count` bytes at `base`: from the scratch buffer when they fit, else copied by SQLite.
    private func bindBytes(_ index: Int32, _ base: UnsafeRawPointer, _ count: Int, text: Bool) {
        var pointer = base
        var destructor: sqlite3_destructor_type? = Self.transient
        if let scratch, let copy = scratch.copy(base, count) {
            pointer = copy
            destructor = nil  // SQLITE_STATIC
        }
        if text {
            sqlite3_bind_text(handle, index, pointer.assumingMemoryBound(to: CChar.self), Int32(count), destructor)
        } else {
            sqlite3_bind_blob(handle, index, pointer, Int32(count), destructor)
        }
    }

    func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(handle, index, value) }

    func bind(_ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }
    func bind(_ index: Int32, _ value: Bool) { sqlite3_bind_int64(handle, index, value ? 1 : 0) }

    func bind(_ index: Int32, _ value: String?) {
        guard var value else {
            sqlite3_bind_null(handle, index)
            return
        }
        value.withUTF8 { bytes in
            // An empty buffer may have no address: SQLite takes a zero-length text at any address.
            bindBytes(index, UnsafeRawPointer(bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!), bytes.count, text: true)
        }
    }

    func bind(_ index: Int32, blob: [UInt8]) {
        blob.withUnsafeBytes { bytes in
            bindBytes(index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, bytes.count, text: false)
        }
    }

    /// Binds a blob without any copy (SQLITE_STATIC): `bytes` must stay untouched until the row
    /// has been stepped — call `step()` within the closure that lent them.
    func bind(_ index: Int32, inPlace bytes: UnsafeRawBufferPointer) {
        sqlite3_bind_blob(handle, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, Int32(bytes.count), nil)
    }

    /// Runs the statement to completion, then resets it for the next row.
    func step() throws {
        let code = sqlite3_step(handle)
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: connection.map { String(cString: sqlite3_errmsg($0)) })
        }
    }
}

/// The buffer one row's text and blobs are copied into (see `RawStatement`). Never grown, so a
/// pointer handed to SQLite stays valid; a value that does not fit is bound the copying way.
final class BindScratch {
    let capacity: Int
    let base: UnsafeMutableRawPointer
    var used = 0

    init(capacity: Int = 2 << 20) {
        self.capacity = capacity
        base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
    }

    deinit { base.deallocate() }

    /// Copies `count` bytes in; nil when they do not fit.
    func copy(_ source: UnsafeRawPointer, _ count: Int) -> UnsafeRawPointer? {
        guard count <= capacity - used else { return nil }
        let destination = base + used
        destination.copyMemory(from: source, byteCount: count)
        used += count
        return UnsafeRawPointer(destination)
    }
}
