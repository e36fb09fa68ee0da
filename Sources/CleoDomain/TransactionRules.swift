import Crypto

/// Flags that ask support to look at a transaction (events-log.md rules 4 and 5).
public struct TransactionFlags: OptionSet, Sendable, Hashable, Codable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// A final status followed by a different final status (rule 4).
    public static let conflict = TransactionFlags(rawValue: 1)
    /// An event disagreed with the transaction's method, user, amount, currency or country (rule 5).
    public static let mismatch = TransactionFlags(rawValue: 2)

    public var names: [String] {
        var names: [String] = []
        if contains(.conflict) { names.append("CONFLICT") }
        if contains(.mismatch) { names.append("MISMATCH") }
        return names
    }
}

/// A transaction as the events of the log have built it.
public struct TransactionState: Sendable, Equatable {
    public var transactionID: String
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
    /// Accepted lines of the transaction, duplicates included.
    public var eventCount: Int

    /// Rule 1: the first event creates the transaction with its values.
    public init(creatingFrom event: WebhookEvent) {
        transactionID = event.transactionID
        method = event.method
        userID = event.userID
        amount = event.amount
        currency = event.currency
        region = event.region
        status = event.status
        rawStatus = event.rawStatus
        errorCode = event.errorCode
        message = event.message
        pspTransactionID = event.pspTransactionID
        merchantReference = event.merchantReference
        flags = []
        eventCount = 1
    }
}

/// The content of an event that decides whether a later one without `eventId` repeats it (rule 6):
/// method, user, normalised status, raw status, amount as a number, currency, message — hashed
/// into 16 bytes (SHA-256, truncated) so the store can keep one per event. A value, not an array:
/// no allocation per event, and cheap to compare.
public struct EventSignature: Hashable, Sendable {
    public let high: UInt64
    public let low: UInt64

    public init(of event: WebhookEvent) {
        // The fields are framed into a stack buffer and hashed from there (a message too long
        // for it is hashed in pieces: the digest is of the same bytes): no array, no `String`
        // of a length, per event — on a backlog that was two allocations a line.
        var hasher = SHA256()
        withUnsafeTemporaryAllocation(byteCount: SignatureFrame.capacity, alignment: 8) { buffer in
            var frame = SignatureFrame(buffer: buffer)
            frame.field(event.method.rawValue, &hasher)
            frame.field(event.userID, &hasher)
            frame.field(event.status.rawValue, &hasher)
            frame.field(event.rawStatus, &hasher)
            if let amount = event.amount { frame.decimalField(amount.hundredths, &hasher) } else { frame.absent(&hasher) }
            frame.field(event.currency?.rawValue, &hasher)
            frame.field(event.message, &hasher)
            frame.flush(&hasher)
        }
        let digest = hasher.finalize()
        (high, low) = digest.withUnsafeBytes { bytes in
            (UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
             UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        }
    }

    /// From the 16 stored bytes (shorter input is zero-padded).
    public init(bytes: [UInt8]) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (i, byte) in bytes.prefix(16).enumerated() {
            if i < 8 { high |= UInt64(byte) << (56 - 8 * UInt64(i)) } else { low |= UInt64(byte) << (56 - 8 * UInt64(i - 8)) }
        }
        self.high = high
        self.low = low
    }

    /// The 16 bytes, as stored with the event.
    public var bytes: [UInt8] { withBytes(Array.init) }

    /// The 16 stored bytes, without an array (the ingest binds them once per event).
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(of: (high.bigEndian, low.bigEndian), body)
    }
}

/// The bytes a signature hashes, one field after another: `-` for an absent field, else its
/// UTF-8 length in decimal, `:` and its bytes (so absent differs from empty, and no two field
/// lists frame to the same bytes). Filled on the stack, handed to SHA-256 when full.
struct SignatureFrame {
    static let capacity = 512
    let buffer: UnsafeMutableRawBufferPointer
    var used = 0

    init(buffer: UnsafeMutableRawBufferPointer) { self.buffer = buffer }

    mutating func flush(_ hasher: inout SHA256) {
        guard used > 0 else { return }
        hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<used]))
        used = 0
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer, _ hasher: inout SHA256) {
        if bytes.count > Self.capacity - used {
            flush(&hasher)
            if bytes.count > Self.capacity {
                hasher.update(bufferPointer: bytes)
                return
            }
        }
        guard bytes.count > 0 else { return }
        (buffer.baseAddress! + used).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        used += bytes.count
    }

    mutating func byte(_ value: UInt8, _ hasher: inout SHA256) {
        if used == Self.capacity { flush(&hasher) }
        buffer[used] = value
        used += 1
    }

    mutating func absent(_ hasher: inout SHA256) { byte(0x2D, &hasher) }

    /// `value`'s decimal digits (never negative here: a count or an amount in hundredths).
    mutating func digits(_ value: UInt64, _ hasher: inout SHA256) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: UInt64.max has 20 digits
        var count = 0
        withUnsafeMutableBytes(of: &digits) { out in
            var rest = value
            repeat {
                out[23 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            append(UnsafeRawBufferPointer(rebasing: out[(24 - count)...]), &hasher)
        }
    }

    mutating func field(_ text: String?, _ hasher: inout SHA256) {
        guard var text else { return absent(&hasher) }
        text.withUTF8 { bytes in
            digits(UInt64(bytes.count), &hasher)
            byte(0x3A, &hasher)
            append(UnsafeRawBufferPointer(bytes), &hasher)
        }
    }

    /// A number's decimal text as a field (what `String(value)` would frame).
    mutating func decimalField(_ value: Int64, _ hasher: inout SHA256) {
        let magnitude = value.magnitude
        var length = value < 0 ? 2 : 1
        var rest = magnitude / 10
        while rest > 0 { length += 1; rest /= 10 }
        digits(UInt64(length), &hasher)
        byte(0x3A, &hasher)
        if value < 0 { byte(UInt8(ascii: "-"), &hasher) }
        digits(magnitude, &hasher)
    }
}

/// What earlier events of a transaction a new one is compared with (rule 6). Most transactions
/// have a handful of events: small arrays scanned in order, with a set built only past
/// `indexedAfter` entries so a transaction with thousands of events stays linear.
public struct EventHistory: Sendable, Equatable {
    public private(set) var eventIDs: [String] = []
    public private(set) var signatures: [EventSignature] = []
    private var idIndex: Set<ByteKey>?
    private var signatureIndex: Set<EventSignature>?
    static let indexedAfter = 16

    public init() {}

    public func isDuplicate(_ event: WebhookEvent, signature: EventSignature? = nil) -> Bool {
        if let id = event.eventID {
            if let idIndex { return idIndex.contains(ByteKey(id)) }
            return eventIDs.contains { $0.sameBytes(as: id) }
        }
        let key = signature ?? EventSignature(of: event)
        if let signatureIndex { return signatureIndex.contains(key) }
        return signatures.contains(key)
    }

    public mutating func record(_ event: WebhookEvent, signature: EventSignature? = nil) {
        record(eventID: event.eventID, signature: signature ?? EventSignature(of: event))
    }

    /// Rebuilds the history from stored events (event id, signature).
    public mutating func record(eventID: String?, signature: EventSignature) {
        if let eventID {
            eventIDs.append(eventID)
            if idIndex != nil {
                idIndex!.insert(ByteKey(eventID))
            } else if eventIDs.count > Self.indexedAfter {
                idIndex = Set(eventIDs.map(ByteKey.init))
            }
        }
        signatures.append(signature)
        if signatureIndex != nil {
            signatureIndex!.insert(signature)
        } else if signatures.count > Self.indexedAfter {
            signatureIndex = Set(signatures)
        }
    }

    public static func == (a: EventHistory, b: EventHistory) -> Bool {
        a.eventIDs.count == b.eventIDs.count && zip(a.eventIDs, b.eventIDs).allSatisfy { $0.sameBytes(as: $1) }
            && a.signatures == b.signatures
    }
}

/// What applying one event did, kept with the event and shown on the timeline.
public struct EventOutcome: Sendable, Equatable {
    public var created = false
    /// Rule 6: changed nothing.
    public var duplicate = false
    /// Rule 3: a Pending after a final status.
    public var late = false
    /// Rule 4: a different final status replaced the earlier one.
    public var conflict = false
    /// Rule 5: the event's values differ from the transaction's.
    public var mismatchedFields: [String] = []
    /// Rule 1: fields filled in by this event.
    public var filledFields: [String] = []
    /// Whether the transaction's status changed.
    public var statusChanged = false
    /// The event's content key (rule 6), kept with the event so the history can be rebuilt.
    public var signature = EventSignature(bytes: [])

    public init() {}

    /// What the timeline says of the event (`CONFLICT; MISMATCH: amount; filled in: currency`),
    /// nil when nothing.
    public var notes: String? {
        var notes: [String] = []
        if conflict { notes.append("CONFLICT") }
        if !mismatchedFields.isEmpty { notes.append("MISMATCH: " + mismatchedFields.joined(separator: ", ")) }
        if !filledFields.isEmpty { notes.append("filled in: " + filledFields.joined(separator: ", ")) }
        return notes.isEmpty ? nil : notes.joined(separator: "; ")
    }
}

/// Rules 1–7 of events-log.md as pure functions.
public enum TransactionRules {
    /// Applies `event` to `state` (nil when this is the transaction's first event), with
    /// `history` holding what the earlier events were. Returns the outcome for the timeline.
    /// `signature` may be computed beforehand (the ingest does it while parsing, on another thread).
    @discardableResult
    public static func apply(_ event: WebhookEvent, signature: EventSignature? = nil, to state: inout TransactionState?,
                             history: inout EventHistory) -> EventOutcome {
        var outcome = EventOutcome()
        outcome.signature = signature ?? EventSignature(of: event)
        guard state != nil else {
            state = TransactionState(creatingFrom: event)
            history.record(event, signature: outcome.signature)
            outcome.created = true
            outcome.statusChanged = true
            return outcome
        }
        applyLater(event, to: &state!, history: &history, outcome: &outcome)
        return outcome
    }

    /// An event after the first, applied in place (no copy of the state per event).
    static func applyLater(_ event: WebhookEvent, to current: inout TransactionState, history: inout EventHistory,
                           outcome: inout EventOutcome) {
        current.eventCount += 1
        // Rule 6: a duplicate is recorded and changes nothing else.
        if history.isDuplicate(event, signature: outcome.signature) {
            outcome.duplicate = true
            return
        }
        history.record(event, signature: outcome.signature)

        // Rule 5: differences are flagged; the transaction keeps its values.
        if event.method != current.method { outcome.mismatchedFields.append("method") }
        if !event.userID.sameBytes(as: current.userID) { outcome.mismatchedFields.append("user_id") }
        // Rule 1: fill-ins; otherwise a differing value is a mismatch.
        if let amount = event.amount {
            if let existing = current.amount {
                if existing.hundredths != amount.hundredths { outcome.mismatchedFields.append("amount") }
            } else {
                current.amount = amount
                outcome.filledFields.append("amount")
            }
        }
        if let currency = event.currency {
            if let existing = current.currency {
                if existing != currency { outcome.mismatchedFields.append("currency") }
            } else {
                current.currency = currency
                outcome.filledFields.append("currency")
            }
        }
        if let region = event.region {
            if let existing = current.region {
                if existing != region { outcome.mismatchedFields.append("countryCode") }
            } else {
                current.region = region
                outcome.filledFields.append("countryCode")
            }
        }
        // The first non-empty psp id and reference win (README): an empty or absent one waits
        // for a later event that has it.
        if current.pspTransactionID?.isEmpty ?? true, let psp = event.pspTransactionID, !psp.isEmpty {
            current.pspTransactionID = psp
        }
        if current.merchantReference?.isEmpty ?? true, let reference = event.merchantReference,
           !reference.isEmpty || current.merchantReference == nil {
            current.merchantReference = reference
        }
        if !outcome.mismatchedFields.isEmpty { current.flags.insert(.mismatch) }

        // Rules 2–4: status.
        if current.status.isFinal && event.status == .pending {
            outcome.late = true
        } else {
            if current.status.isFinal && event.status.isFinal && event.status != current.status {
                current.flags.insert(.conflict)
                outcome.conflict = true
            }
            outcome.statusChanged = current.status != event.status
            current.status = event.status
            // Rule 7: raw status, error code and message follow the latest event that is
            // neither duplicate nor late.
            current.rawStatus = event.rawStatus
            current.errorCode = event.errorCode
            current.message = event.message
        }
    }
}
