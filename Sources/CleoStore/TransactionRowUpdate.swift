import CleoDomain

/// The columns of a transaction row an update may leave out, so the indexes on them are not
/// rewritten: SQLite rewrites the entry of every index whose column is in the SET list, changed
/// or not (a live completion used to rewrite the country, psp and reference entries for nothing
/// — a page each).
struct UpdateColumns: OptionSet, Hashable {
    let rawValue: Int
    static let status = UpdateColumns(rawValue: 1)
    static let flags = UpdateColumns(rawValue: 2)
    /// Amount, currency and country, filled in together (events-log.md rule 1).
    static let fill = UpdateColumns(rawValue: 4)
    static let psp = UpdateColumns(rawValue: 8)
    static let reference = UpdateColumns(rawValue: 16)
    static let all: UpdateColumns = [.status, .flags, .fill, .psp, .reference]

    /// The update for these columns; its parameters are bound in this order by `Cached.bindRow`.
    var updateSQL: String {
        var sql = "UPDATE tx SET raw_status = ?, error_code = ?, message = ?, event_count = ?, updated_at = ?"
        if contains(.status) { sql += ", status = ?" }
        if contains(.flags) { sql += ", flags = ?" }
        if contains(.fill) { sql += ", amount = ?, amount_hundredths = ?, currency = ?, country = ?" }
        if contains(.psp) { sql += ", psp_id = ?" }
        if contains(.reference) { sql += ", merchant_ref = ?" }
        return sql + " WHERE seq = ?"
    }
}

/// A transaction row's optional columns as written, compared byte for byte.
struct Written {
    var status: TransactionStatus
    var flags: TransactionFlags
    var amount: String?
    var currency: Currency?
    var region: Region?
    var psp: String?
    var reference: String?

    init(_ state: TransactionState) {
        status = state.status
        flags = state.flags
        amount = state.amount?.literal
        currency = state.currency
        region = state.region
        psp = state.pspTransactionID
        reference = state.merchantReference
    }

    func changes(since old: Written) -> UpdateColumns {
        var columns: UpdateColumns = []
        if status != old.status { columns.insert(.status) }
        if flags != old.flags { columns.insert(.flags) }
        if !Self.same(amount, old.amount) || currency != old.currency || region != old.region { columns.insert(.fill) }
        if !Self.same(psp, old.psp) { columns.insert(.psp) }
        if !Self.same(reference, old.reference) { columns.insert(.reference) }
        return columns
    }

    static func same(_ a: String?, _ b: String?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case let (a?, b?): a.utf8.elementsEqual(b.utf8)
        default: false
        }
    }
}
