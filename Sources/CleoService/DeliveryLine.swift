import CleoDomain

/// A delivery's body turned into the events log's line (serve.md, "The line"): the body with
/// insignificant whitespace removed — every other byte as sent, number literals, key order and
/// escapes included — then `"receivedAt"` and `"deliveryId"` as the object's last members, and LF.
/// Pure: no clock, no I/O.
public enum DeliveryLine {
    /// Why a body is not a line: the 400's one-line reason.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// A line ready for the log, and the delivery's `transaction_id` for the receiver's log line.
    public struct Made: Sendable, Equatable {
        public var bytes: [UInt8]
        public var transactionID: String?
    }

    /// The longest line the follower accepts (events-log.md), LF excluded.
    public static let maximumLineBytes = WebhookLineParser.maximumLineBytes

    /// The line for `body`, ended by LF, or why not. The body must be a strict JSON object in
    /// `events-log.md`'s grammar: valid UTF-8, strict RFC 8259, an object at the top.
    public static func make(body: [UInt8], receivedAt: String, deliveryId: String) -> Result<Made, Refusal> {
        body.withUnsafeBufferPointer { make(body: $0, receivedAt: receivedAt, deliveryId: deliveryId) }
    }

    public static func make(body: UnsafeBufferPointer<UInt8>, receivedAt: String, deliveryId: String) -> Result<Made, Refusal> {
        if let bad = UTF8Validation.firstInvalidOffset(body) {
            return .failure(Refusal(reason: "invalid UTF-8 at byte \(bad)"))
        }
        // The slot path of the strict scanner: every member is checked, none is built, and only
        // `transaction_id` (for the receiver's log line) is kept.
        var slot: [JSONValue?] = [nil]
        let notAnObject: JSONValue?
        do {
            notAnObject = try slot.withUnsafeMutableBufferPointer { slots throws(JSONSyntaxError) in
                try StrictJSONParser.parseMembers(body, slotOf: { $0.elementsEqual("transaction_id".utf8) ? 0 : nil }, into: slots)
            }
        } catch {
            return .failure(Refusal(reason: "not strict JSON: \(error.description)"))
        }
        if let value = notAnObject {
            return .failure(Refusal(reason: "not a JSON object: the body is \(value.typeName == "array" ? "an" : "a") \(value.typeName)"))
        }
        var line = compacted(body)
        // The parser proved `line` is one object: its last byte is the closing brace.
        line.removeLast()
        if line.count > 1 { line.append(UInt8(ascii: ",")) }
        appendMember(&line, key: "receivedAt", value: receivedAt)
        line.append(UInt8(ascii: ","))
        appendMember(&line, key: "deliveryId", value: deliveryId)
        line.append(UInt8(ascii: "}"))
        if line.count > maximumLineBytes {
            return .failure(Refusal(reason: "the line would be \(line.count) bytes, over the log's \(maximumLineBytes)"))
        }
        line.append(0x0A)
        var transactionID: String?
        if case .string(let id)? = slot[0] { transactionID = id }
        return .success(Made(bytes: line, transactionID: transactionID))
    }

    /// The bytes of valid JSON without the whitespace between tokens. Inside strings every byte
    /// is kept; a backslash's next byte is never taken for a closing quote.
    static func compacted(_ json: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        // Written by index into room for the body and the two members appended after it (an
        // append per byte, with its capacity check, was 1.5% of serve's CPU).
        [UInt8](unsafeUninitializedCapacity: json.count + 96) { out, count in
            var n = 0
            var inString = false
            var escaped = false
            for byte in json {
                if inString {
                    out[n] = byte
                    n += 1
                    if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                    continue
                }
                switch byte {
                case 0x20, 0x09, 0x0A, 0x0D: continue
                case UInt8(ascii: "\""): inString = true
                default: break
                }
                out[n] = byte
                n += 1
            }
            count = n
        }
    }

    /// `"key":"value"` for our own ASCII values (an RFC 3339 time, a delivery id): no escaping needed.
    private static func appendMember(_ line: inout [UInt8], key: String, value: String) {
        precondition(value.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
        line.append(UInt8(ascii: "\""))
        line.append(contentsOf: key.utf8)
        line.append(contentsOf: "\":\"".utf8)
        line.append(contentsOf: value.utf8)
        line.append(UInt8(ascii: "\""))
    }
}
