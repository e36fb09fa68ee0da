import Foundation

/// A money amount kept exactly: the literal text as received and its value in hundredths.
/// Never a `Double` (a binary float cannot hold 0.10); the value is also offered as `Decimal`.
public struct Amount: Sendable, Hashable, CustomStringConvertible {
    /// The text as it arrived (`"10000.00"`), so the JSON output repeats it unchanged.
    public let literal: String
    /// The value in hundredths of the unit: `10000.00` → 1_000_000. Comparisons use this,
    /// so `100` equals `100.00` (events-log.md rule 5).
    public let hundredths: Int64

    /// More integer digits than any bank transfer needs, and the most an `Int64` of
    /// hundredths holds exactly.
    public static let maximumIntegerDigits = 16

    public var decimal: Decimal { Decimal(hundredths) / 100 }
    public var description: String { literal }
    public var hasFraction: Bool { hundredths % 100 != 0 }

    public static func == (lhs: Amount, rhs: Amount) -> Bool { lhs.hundredths == rhs.hundredths }
    public func hash(into hasher: inout Hasher) { hasher.combine(hundredths) }

    /// Parses `^(0|[1-9][0-9]*)(\.[0-9]{1,2})?$`; nil for anything else (signs, exponents,
    /// spaces, three decimals, leading zeros, too many digits).
    public init?(literal: String) {
        var integerPart: Int64 = 0
        var fraction: Int64 = 0
        var integerDigits = 0
        var fractionDigits = 0
        var inFraction = false
        var firstDigitWasZero = false
        for byte in literal.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let digit = Int64(byte - UInt8(ascii: "0"))
                if inFraction {
                    fractionDigits += 1
                    if fractionDigits > 2 { return nil }
                    fraction = fraction * 10 + digit
                } else {
                    if integerDigits == 1 && firstDigitWasZero { return nil }  // no leading zeros
                    if integerDigits == 0 && digit == 0 { firstDigitWasZero = true }
                    integerDigits += 1
                    if integerDigits > Amount.maximumIntegerDigits { return nil }
                    integerPart = integerPart * 10 + digit
                }
            case UInt8(ascii: "."):
                if inFraction || integerDigits == 0 { return nil }
                inFraction = true
            default:
                return nil
            }
        }
        if integerDigits == 0 || (inFraction && fractionDigits == 0) { return nil }
        if fractionDigits == 1 { fraction *= 10 }
        self.literal = literal
        self.hundredths = integerPart * 100 + fraction
    }

    /// Why this amount is not acceptable in `currency`, or nil when it is.
    public func problem(in currency: Currency?) -> String? {
        if hundredths == 0 { return "must be greater than zero" }
        if currency == .clp && hasFraction { return "CLP has no cents: the fraction must be zero" }
        return nil
    }

    /// Human form with the currency and thousands separators: `CLP 10,000`, `PEN 12.50`.
    public func formatted(currency: Currency?) -> String {
        let units = hundredths / 100
        let cents = hundredths % 100
        var digits = String(units)
        var grouped = ""
        while digits.count > 3 {
            grouped = "," + digits.suffix(3) + grouped
            digits.removeLast(3)
        }
        grouped = digits + grouped
        let number: String
        switch currency {
        case .clp: number = grouped
        default: number = grouped + "." + (cents < 10 ? "0" : "") + String(cents)
        }
        guard let currency else { return number }
        return currency.rawValue + " " + number
    }
}
