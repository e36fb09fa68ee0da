/// A realistic synthetic webhook feed for `demo` and the benchmarks: a few users per country,
/// pay-ins and pay-outs, most ending Approved, some Declined with an error code, retried
/// deliveries, an occasional late or conflicting event and a rare malformed line. Pure and
/// seeded: the same seed gives the same lines.
public struct DemoFeed {
    public struct Generator: RandomNumberGenerator {
        var state: UInt64
        public init(seed: UInt64) { state = seed }
        public mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    struct Open {
        var id: String
        var psp: String
        var reference: String
        var method: PaymentMethod
        var user: String
        var region: Region
        var amount: String
        var finalStatus: TransactionStatus
        var dueAt: Int
        var amountSent: Bool
    }

    private var rng: Generator
    private var open: [Open] = []
    private var recentlyFinal: [(Open, String)] = []
    private var produced = 0
    /// How many lines on average a transaction stays Pending.
    public var settleAfter = 12

    static let users: [Region: [String]] = [
        .chile: ["cl-ana.rojas", "cl-benjamin.soto", "cl-catalina.munoz", "cl-diego.perez"],
        .peru: ["pe-lucia.quispe", "pe-mateo.flores", "pe-valeria.huaman"],
        .mexico: ["mx-sofia.hernandez", "mx-santiago.garcia", "mx-ximena.lopez", "mx-emiliano.martinez"],
    ]

    public init(seed: UInt64) {
        rng = Generator(seed: seed)
    }

    private mutating func hex(_ digits: Int) -> String {
        var out = ""
        while out.count < digits {
            let value = rng.next()
            out += String(value, radix: 16)
        }
        return String(out.prefix(digits))
    }

    private mutating func amount(for region: Region) -> String {
        switch region {
        case .chile: return String(Int.random(in: 1...100, using: &rng) * 5000)
        case .peru: return String(Int.random(in: 20...2000, using: &rng)) + "." + String(format2(Int.random(in: 0...99, using: &rng)))
        case .mexico: return String(Int.random(in: 100...20000, using: &rng)) + "." + String(format2(Int.random(in: 0...99, using: &rng)))
        }
    }

    private func format2(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }

    /// The next line (without its LF), stamped with `receivedAt`.
    public mutating func nextLine(receivedAt: String) -> String {
        produced += 1
        if Double.random(in: 0..<1, using: &rng) < 0.01 { return malformed(receivedAt: receivedAt) }
        // Retried delivery, late Pending, or conflict on a recently settled transaction.
        if let (settled, eventID) = recentlyFinal.randomElement(using: &rng), Double.random(in: 0..<1, using: &rng) < 0.10 {
            let roll = Double.random(in: 0..<1, using: &rng)
            if roll < 0.7 {
                return event(settled, status: settled.finalStatus, eventID: eventID, receivedAt: receivedAt)  // duplicate
            } else if roll < 0.9 {
                return event(settled, status: .pending, eventID: "ev-" + hex(12), receivedAt: receivedAt)  // late
            } else {
                recentlyFinal.removeAll { $0.0.id == settled.id }
                let other: TransactionStatus = settled.finalStatus == .approved ? .declined : .approved
                var flipped = settled
                flipped.finalStatus = other
                return event(flipped, status: other, eventID: "ev-" + hex(12), receivedAt: receivedAt)  // conflict
            }
        }
        if let index = open.firstIndex(where: { $0.dueAt <= produced }) {
            var tx = open.remove(at: index)
            tx.amountSent = true
            let eventID = "ev-" + hex(12)
            recentlyFinal.append((tx, eventID))
            if recentlyFinal.count > 20 { recentlyFinal.removeFirst() }
            return event(tx, status: tx.finalStatus, eventID: eventID, receivedAt: receivedAt)
        }
        let region = Region.allCases.randomElement(using: &rng)!
        let finalStatus: TransactionStatus = Double.random(in: 0..<1, using: &rng) < 0.82 ? .approved : .declined
        let tx = Open(
            id: hex(24), psp: hex(8) + "-" + hex(4) + "-" + hex(4) + "-" + hex(4) + "-" + hex(12),
            reference: "ORD-" + String(Int.random(in: 100_000...999_999, using: &rng)),
            method: Double.random(in: 0..<1, using: &rng) < 0.7 ? .payIn : .payOut,
            user: Self.users[region]!.randomElement(using: &rng)!, region: region, amount: amount(for: region),
            finalStatus: finalStatus, dueAt: produced + Int.random(in: 1...(2 * settleAfter), using: &rng),
            amountSent: Double.random(in: 0..<1, using: &rng) < 0.95)
        open.append(tx)
        return event(tx, status: .pending, eventID: "ev-" + hex(12), receivedAt: receivedAt)
    }

    private mutating func event(_ tx: Open, status: TransactionStatus, eventID: String, receivedAt: String) -> String {
        var fields: [(String, String)] = [
            ("transaction_id", q(tx.id)), ("method", q(tx.method.rawValue)), ("transaction_status", q(status.rawValue)),
        ]
        let raw: String
        var message: String
        var errorCode: String?
        switch status {
        case .pending:
            raw = "PENDING"
            message = tx.method == .payIn ? "Waiting for the bank transfer" : "Payout submitted to Cleo"
        case .approved:
            raw = "SUCCESS"
            message = tx.method == .payIn ? "Payment received" : "Payout sent"
        case .declined:
            raw = ["REJECTED", "FAILED", "EXPIRED"].randomElement(using: &rng)!
            let code = PSPErrorCode.allCases.randomElement(using: &rng)!
            errorCode = code.rawValue
            message = "Cleo: " + code.meaning
        }
        fields.append(("status", q(raw)))
        fields.append(("user_id", q(tx.user)))
        if tx.amountSent || status != .pending {
            fields.append(("amount", q(tx.amount)))
            fields.append(("currency", q(tx.region.currency.rawValue)))
        }
        fields.append(("countryCode", q(tx.region.countryCode)))
        fields.append(("psp_transaction_id", q(tx.psp)))
        fields.append(("merchantReference", q(tx.reference)))
        fields.append(("message", q(message)))
        if let errorCode { fields.append(("errorCode", q(errorCode))) }
        fields.append(("receivedAt", q(receivedAt)))
        fields.append(("eventId", q(eventID)))
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    private mutating func malformed(receivedAt: String) -> String {
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: return "{\"transaction_id\":\"\(hex(24))\",\"method\":\"CLEO_PAYIN\",\"transaction_status\":\"Approved\",\"status\":\"SUCCESS\",\"user_id\":\"cl-ana.rojas\",\"amount\":\"12000\",\"currency\":\"USD\",\"receivedAt\":\"\(receivedAt)\"}"
        case 1: return "{\"transaction_id\":\"\(hex(24))\",\"method\":\"CLEO_PAYOUT\",\"transaction_status\":\"Refunded\",\"status\":\"REFUND\",\"user_id\":\"pe-lucia.quispe\"}"
        case 2: return "{\"transaction_id\":\"\(hex(24))\",\"method\":\"CLEO_PAYIN\",\"transaction_status\":\"Pending\",\"status\":\"PENDING\",\"user_id\":\"cl-diego.perez\",\"amount\":\"15000.50\",\"countryCode\":\"CL\"}"
        default: return "{\"transaction_id\":\"\(hex(24))\",\"method\":\"CLEO_PAYIN\",\"status\":\"SUCCESS\""
        }
    }

    private func q(_ text: String) -> String { "\"" + text + "\"" }
}
