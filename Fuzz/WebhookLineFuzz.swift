// libFuzzer target: the webhook line parser (events-log.md), compiled by `make fuzz` together
// with the CleoDomain files it needs, in one module. Each input is one line without its LF.
// Invariants (a violation traps, and libFuzzer keeps the input):
// - the verdict is deterministic, and one CR added before the LF changes nothing;
// - blank only for spaces and tabs; INVALID_UTF8 exactly when the standard library's own
//   validator refuses the bytes; NOT_AN_OBJECT only for strict JSON that is not an object;
// - an accepted line is valid UTF-8 and strict JSON, its ids 1–128 scalars, its currency its
//   country's; and the event, encoded again as a line, parses to the same event, byte for byte.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebhookLine(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let line = Array(UnsafeBufferPointer(start: data, count: size))
    let verdict = WebhookLineParser.parse(line)
    require(WebhookLineParser.parse(line) == verdict, "not deterministic")
    if line.last != 0x0D { require(WebhookLineParser.parse(line + [0x0D]) == verdict, "a CR before the LF changed the verdict") }
    let body = line.last == 0x0D ? Array(line.dropLast()) : line
    let validUTF8 = String(validating: body, as: UTF8.self) != nil
    switch verdict {
    case .blank:
        require(body.allSatisfy { $0 == 0x20 || $0 == 0x09 }, "blank for a line with more than spaces and tabs")
    case .rejected(let rejection):
        require(!rejection.message.isEmpty, "a rejection without a reason")
        if rejection.code == .invalidUTF8 { require(!validUTF8, "INVALID_UTF8 for valid UTF-8") }
        if !validUTF8 { require(rejection.code == .invalidUTF8 || rejection.code == .lineTooLong, "invalid UTF-8 not refused as such: \(rejection.code)") }
        if rejection.code == .notAnObject {
            let value = try? StrictJSONParser.parse(body)
            require(value != nil, "NOT_AN_OBJECT for what is not strict JSON")
            if case .object? = value { require(false, "NOT_AN_OBJECT for an object") }
        }
    case .accepted(let event):
        require(validUTF8, "accepted invalid UTF-8")
        guard case .object? = try? StrictJSONParser.parse(body) else { require(false, "accepted what is not a strict JSON object"); return 0 }
        for id in [event.transactionID, event.userID] {
            require(!id.isEmpty && id.unicodeScalars.count <= WebhookLineParser.maximumIDScalars, "an id out of bounds")
        }
        if let currency = event.currency, let region = event.region { require(region.currency == currency, "currency not the country's") }
        let again = Array(encode(event).utf8)
        guard case .accepted(let reparsed) = WebhookLineParser.parse(again) else {
            require(false, "the event encoded again is not accepted: \(String(decoding: again, as: UTF8.self)) → \(WebhookLineParser.parse(again))")
            return 0
        }
        require(reparsed == event, "the event encoded again parses to another event: \(String(decoding: again, as: UTF8.self))")
    }
    return 0
}

/// The event as a line of the log, every field it has.
func encode(_ event: WebhookEvent) -> String {
    var members: [(String, String)] = [
        ("transaction_id", event.transactionID), ("method", event.method.rawValue), ("transaction_status", event.status.rawValue),
        ("status", event.rawStatus), ("user_id", event.userID),
    ]
    if let amount = event.amount { members.append(("amount", amount.literal)) }
    if let currency = event.currency { members.append(("currency", currency.rawValue)) }
    if let region = event.region { members.append(("countryCode", region.countryCode)) }
    let optional: [(String, String?)] = [
        ("psp_transaction_id", event.pspTransactionID), ("message", event.message), ("merchantReference", event.merchantReference),
        ("errorCode", event.errorCode), ("receivedAt", event.receivedAt.map { RFC3339.format($0, offsetSeconds: 0) }), ("eventId", event.eventID),
    ]
    for (key, value) in optional { if let value { members.append((key, value)) } }
    return "{" + members.map { quote($0.0) + ":" + quote($0.1) }.joined(separator: ",") + "}"
}

/// A JSON string: quote, backslash and C0 controls escaped, everything else as its UTF-8.
func quote(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar.value {
        case 0x22: out += "\\\""
        case 0x5C: out += "\\\\"
        case 0..<0x20:
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("invariant broken: " + message()) }
}
