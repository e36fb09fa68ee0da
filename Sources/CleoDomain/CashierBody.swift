import Foundation

/// Building the cashier request's body: a realistic template per country (so
/// `cashier payin --country CL` alone is a complete valid sandbox request), fields set over it,
/// and the exact JSON text sent (members in order, number literals kept as written).
public enum CashierBody {
    /// A complete request for `region` in the provider page's shape, with that country's
    /// currency, phone, address and a sandbox test user.
    public static func template(_ region: Region, method: PaymentMethod) -> JSONObject {
        let place: (phone: String, line1: String, city: String, state: String, postalCode: String, amount: String)
        switch region {
        case .chile: place = ("56912345678", "Av. Libertador Bernardo O'Higgins 1234", "Santiago", "RM", "8320000", "10000")
        case .peru: place = ("51987654321", "Av. José Larco 345", "Lima", "LIM", "15074", "50.00")
        case .mexico: place = ("5215512345678", "Av. Paseo de la Reforma 222", "Ciudad de México", "CDMX", "06600", "200.00")
        }
        let currency = region.currency.rawValue
        return JSONObject(members: [
            ("pspType", .string("CLEO")),
            ("type", .string(method.shortName)),
            ("baseamount", .number(place.amount)),
            ("currency", .string(currency)),
            ("currencyCode", .string(currency)),
            ("userId", .string("cleo-console-test")),
            ("email", .string("sandbox-test@example.com")),
            ("firstName", .string("Sandbox")),
            ("lastName", .string("Test")),
            ("phone", .string(place.phone)),
            ("gender", .string("female")),
            ("dob", .string("1990-01-15")),
            ("countryCode", .string(region.countryCode)),
            ("kycVerified", .bool(true)),
            ("blocked", .bool(false)),
            ("isVelocity", .bool(false)),
            ("transactionCount", .string("1")),
            ("userBalance", .number("0")),
            ("partnerName", .string("CleoConsoleTest")),
            ("emailVerification", .string("sandbox-test@example.com")),
            ("verificationDate", .string("2024-01-01")),
            ("address", .object(JSONObject(members: [
                ("line1", .string(place.line1)), ("city", .string(place.city)), ("state", .string(place.state)),
                ("postalCode", .string(place.postalCode)), ("country", .string(region.countryCode)),
            ]))),
        ])
    }

    /// Sets `key` (`address.city` reaches into the address), replacing every earlier value in place.
    public static func set(_ key: String, to value: JSONValue, in object: inout JSONObject) {
        if key.hasPrefix("address.") {
            let inner = String(key.dropFirst("address.".count))
            var address: JSONObject
            if case .object(let existing)? = object["address"] { address = existing } else { address = JSONObject() }
            set(inner, to: value, in: &address)
            set("address", to: .object(address), in: &object)
            return
        }
        guard let first = object.members.firstIndex(where: { $0.key.utf8.elementsEqual(key.utf8) }) else {
            object.members.append((key, value))
            return
        }
        object.members[first].value = value
        object.members = object.members.enumerated()
            .filter { $0.offset <= first || !$0.element.key.utf8.elementsEqual(key.utf8) }
            .map(\.element)
    }

    /// The exact body text: compact JSON, members in order, numbers as their literals, every
    /// non-ASCII or control character escaped so the text is safe on any terminal and in a shell.
    public static func render(_ value: JSONValue) -> String {
        var out = ""
        write(value, into: &out)
        return out
    }

    static func write(_ value: JSONValue, into out: inout String) {
        switch value {
        case .string(let text): out += quoted(text)
        case .number(let literal): out += literal
        case .bool(let flag): out += flag ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                write(item, into: &out)
            }
            out += "]"
        case .object(let object):
            out += "{"
            for (index, member) in object.members.enumerated() {
                if index > 0 { out += "," }
                out += quoted(member.key) + ":"
                write(member.value, into: &out)
            }
            out += "}"
        }
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for unit in text.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x20..<0x7F where unit != 0x27: out += String(UnicodeScalar(UInt8(unit)))
            default:
                // Apostrophes too: the body goes inside a single-quoted shell word in the curl line.
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out + "\""
    }

    /// An equivalent `curl` command: the token as `$MOZARTO_TOKEN` (never its value), the body
    /// in single quotes (`render` never emits an apostrophe).
    public static func curl(url: String, body: String, userToken: Bool) -> String {
        var lines = ["curl -sS -X POST \(shellQuoted(url))",
                     "  -H 'Content-Type: application/json'",
                     "  -H \"Authorization: Bearer $MOZARTO_TOKEN\""]
        if userToken { lines.append("  -H \"x-user-token: $MOZARTO_USER_TOKEN\"") }
        lines.append("  --data-raw \(shellQuoted(body))")
        return lines.joined(separator: " \\\n")
    }

    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The platform path of the cashier call.
    public static let path = "/v1/api/mozarto/cashier"
}
