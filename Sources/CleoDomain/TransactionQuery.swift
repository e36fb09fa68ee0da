/// A page request over the transactions: stacked filters (cli.md `tx list`, keys.md `f` and `/`)
/// and a keyset cursor. Pure data: the store turns it into SQL.
public struct TransactionQuery: Sendable, Equatable {
    /// Any of these statuses (empty: any status; all three mean the same).
    public var statuses: Set<TransactionStatus> = []
    public var region: Region?
    public var currency: Currency?
    public var method: PaymentMethod?
    /// Exact user id.
    public var userID: String?
    /// A prefix of the transaction id, psp id, user id or merchant reference.
    public var search: String?
    /// CONFLICT or MISMATCH.
    public var flaggedOnly = false
    /// First seen at or after.
    public var since: Timestamp?
    /// First seen at or before.
    public var until: Timestamp?
    /// Still Pending and first seen longer ago than this many minutes (needs `now`).
    public var overdueMinutes: Int?
    public var now: Timestamp?
    public var limit: Int = 100
    public var cursor: Cursor = .newest

    /// Where a page starts, by the transactions' order of first sight (keyset, never OFFSET).
    public enum Cursor: Sendable, Equatable {
        case newest
        case oldest
        /// Rows older than this sequence number (the next page down).
        case olderThan(Int64)
        /// Rows newer than this sequence number (the page above), nearest first.
        case newerThan(Int64)
    }

    public init() {}

    /// One status, or nil for any (set); nil too when several are chosen (get) — read `statuses`.
    public var status: TransactionStatus? {
        get { statuses.count == 1 ? statuses.first : nil }
        set { statuses = newValue.map { [$0] } ?? [] }
    }

    /// The statuses that narrow the list, in the spec's order (empty when none or all are chosen).
    public var statusFilter: [TransactionStatus] {
        statuses.count == TransactionStatus.allCases.count ? [] : TransactionStatus.allCases.filter(statuses.contains)
    }

    /// Statuses as typed after `--status` or `:status`: names separated by commas or spaces (ASCII case
    /// ignored, spaces around them allowed); the first word that names no status is the failure.
    public static func parseStatuses(_ text: String) -> Result<Set<TransactionStatus>, UnknownStatus> {
        var out: Set<TransactionStatus> = []
        let words = text.split(whereSeparator: { $0 == "," || $0 == " " })
        if words.isEmpty { return .failure(UnknownStatus(word: normalisedSearch(text))) }
        for word in words {
            let name = normalisedSearch(String(word))
            guard let status = TransactionStatus(caseInsensitive: name) else { return .failure(UnknownStatus(word: name)) }
            out.insert(status)
        }
        return .success(out)
    }

    /// A word after `--status`/`:status` that is no status (`aproved`).
    public struct UnknownStatus: Error, Equatable {
        public var word: String
    }

    /// A search as cli.md compares it: surrounding whitespace removed (the store ignores ASCII case).
    public static func normalisedSearch(_ text: String) -> String {
        var scalars = Substring(text).unicodeScalars
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }

    /// The search as the store compares it (`normalisedSearch`); nil when none or only whitespace.
    public var searchPrefix: String? {
        search.map(Self.normalisedSearch).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether any filter is set (the cursor and limit aside).
    public var isFiltered: Bool {
        !statusFilter.isEmpty || region != nil || currency != nil || method != nil || userID != nil || search != nil
            || flaggedOnly || since != nil || until != nil || overdueMinutes != nil
    }

    /// A short description of the filters, for the frame (`status=Pending country=CL`).
    public var summary: String { summaryParts.joined(separator: " ") }

    /// The filters set, one part each.
    public var summaryParts: [String] {
        var parts: [String] = []
        if !statusFilter.isEmpty { parts.append("status=" + statusFilter.map(\.rawValue).joined(separator: ",")) }
        if let region { parts.append("country=\(region.countryCode)") }
        if let currency { parts.append("currency=\(currency.rawValue)") }
        if let method { parts.append("method=\(method.shortName)") }
        if let userID { parts.append("user=\(userID)") }
        if let search { parts.append("search=\(search)") }
        if flaggedOnly { parts.append("flagged") }
        if let overdueMinutes { parts.append("overdue>\(overdueMinutes)m") }
        if since != nil { parts.append("since") }
        if until != nil { parts.append("until") }
        return parts
    }
}

/// A transaction as listed and shown (a `tx` row).
public struct TransactionRecord: Sendable, Equatable, Identifiable {
    public var seq: Int64
    public var id: String
    public var method: PaymentMethod
    public var userID: String
    public var amount: Amount?
    public var currency: Currency?
    public var region: Region?
    public var status: TransactionStatus
    public var rawStatus: String
    public var errorCode: String?
    public var message: String?
    public var pspTransactionID: String?
    public var merchantReference: String?
    public var flags: TransactionFlags
    public var eventCount: Int
    public var firstSeenAt: Timestamp
    public var updatedAt: Timestamp

    public init(seq: Int64, id: String, method: PaymentMethod, userID: String, amount: Amount?, currency: Currency?, region: Region?,
                status: TransactionStatus, rawStatus: String, errorCode: String?, message: String?, pspTransactionID: String?,
                merchantReference: String?, flags: TransactionFlags, eventCount: Int, firstSeenAt: Timestamp, updatedAt: Timestamp) {
        self.seq = seq
        self.id = id
        self.method = method
        self.userID = userID
        self.amount = amount
        self.currency = currency
        self.region = region
        self.status = status
        self.rawStatus = rawStatus
        self.errorCode = errorCode
        self.message = message
        self.pspTransactionID = pspTransactionID
        self.merchantReference = merchantReference
        self.flags = flags
        self.eventCount = eventCount
        self.firstSeenAt = firstSeenAt
        self.updatedAt = updatedAt
    }

    /// Still Pending longer than `minutes` at `now`: a lost webhook leaves a transaction Pending forever.
    public func isOverdue(at now: Timestamp, minutes: Int = 30) -> Bool {
        status == .pending && now.millisecondsSince1970 - firstSeenAt.millisecondsSince1970 > Int64(minutes) * 60_000
    }
}

/// One event of a transaction's timeline (an `event` row).
public struct EventRecord: Sendable, Equatable {
    /// The event's row: its raw line is loaded by it, on demand (a timeline page holds none).
    public var rowID: Int64
    public var file: String
    public var line: Int64
    public var offset: Int64
    public var receivedAt: Timestamp
    public var receivedAtGiven: Bool
    public var status: TransactionStatus
    public var rawStatus: String
    public var message: String?
    public var errorCode: String?
    public var eventID: String?
    public var duplicate: Bool
    public var late: Bool
    public var notes: String?
    public var raw: [UInt8]

    public init(file: String, line: Int64, offset: Int64, receivedAt: Timestamp, receivedAtGiven: Bool, status: TransactionStatus,
                rawStatus: String, message: String?, errorCode: String?, eventID: String?, duplicate: Bool, late: Bool,
                notes: String?, raw: [UInt8], rowID: Int64 = 0) {
        self.rowID = rowID
        self.file = file
        self.line = line
        self.offset = offset
        self.receivedAt = receivedAt
        self.receivedAtGiven = receivedAtGiven
        self.status = status
        self.rawStatus = rawStatus
        self.message = message
        self.errorCode = errorCode
        self.eventID = eventID
        self.duplicate = duplicate
        self.late = late
        self.notes = notes
        self.raw = raw
    }
}

/// A rejected line kept for support (a `rejected` row).
public struct RejectedLine: Sendable, Equatable {
    public var id: Int64
    public var file: String
    public var line: Int64
    public var offset: Int64
    public var code: String
    public var message: String
    public var raw: [UInt8]
    public var rawLength: Int
    public var at: Timestamp

    public init(id: Int64, file: String, line: Int64, offset: Int64, code: String, message: String, raw: [UInt8], rawLength: Int, at: Timestamp) {
        self.id = id
        self.file = file
        self.line = line
        self.offset = offset
        self.code = code
        self.message = message
        self.raw = raw
        self.rawLength = rawLength
        self.at = at
    }
}

/// One entry of the configuration's audit trail.
public struct AuditEntry: Sendable, Equatable {
    public enum Result: String, Sendable { case saved, refused, exported, proposed, approved, rejected, expired, viewed }
    public var id: Int64
    public var at: Timestamp
    public var user: String
    public var origin: String
    public var field: String
    /// Masked for secrets.
    public var old: String?
    public var new: String?
    public var result: Result
    public var detail: String?

    public init(id: Int64, at: Timestamp, user: String, origin: String, field: String, old: String?, new: String?, result: Result, detail: String?) {
        self.id = id
        self.at = at
        self.user = user
        self.origin = origin
        self.field = field
        self.old = old
        self.new = new
        self.result = result
        self.detail = detail
    }
}

extension TransactionState {
    /// The rules' state of a stored transaction (its history comes separately).
    public init(_ record: TransactionRecord) {
        self.init(creatingFrom: WebhookEvent(
            transactionID: record.id, method: record.method, status: record.status, rawStatus: record.rawStatus,
            userID: record.userID, amount: record.amount, currency: record.currency, region: record.region,
            pspTransactionID: record.pspTransactionID, message: record.message,
            merchantReference: record.merchantReference, errorCode: record.errorCode))
        flags = record.flags
        eventCount = record.eventCount
    }
}
