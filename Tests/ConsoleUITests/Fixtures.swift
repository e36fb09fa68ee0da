import CleoDomain
import CleoIngest
import ConsoleUI
import TerminalCanvas

/// A fixed world: clock, zone, session and rows, so every snapshot is reproducible.
enum Fixture {
    static let now = RFC3339.parse("2026-11-25T18:00:00Z")!
    static let session = Session(environment: "sandbox", user: "ops", origin: "ssh 203.0.113.9", zoneName: "America/Santiago",
                                 offsetSeconds: -3 * 3600, databasePath: "/var/lib/cleo/console.db")

    static func record(_ seq: Int64, _ id: String, _ status: TransactionStatus, method: PaymentMethod = .payIn, user: String = "cl-ana.rojas",
                       amount: String = "25000", currency: Currency = .clp, minutesAgo: Int64 = 5, error: String? = nil,
                       flags: TransactionFlags = [], message: String? = nil, events: Int = 2) -> TransactionRecord {
        let first = now.adding(milliseconds: -minutesAgo * 60_000)
        return TransactionRecord(seq: seq, id: id, method: method, userID: user, amount: Amount(literal: amount), currency: currency,
                                 region: currency.region, status: status, rawStatus: status == .approved ? "SUCCESS" : status == .declined ? "REJECTED" : "PENDING",
                                 errorCode: error, message: message, pspTransactionID: "60a74038-5b94-427e-8cff-\(seq)",
                                 merchantReference: "ORD-\(100_000 + seq)", flags: flags, eventCount: events, firstSeenAt: first, updatedAt: first)
    }

    static let rows: [TransactionRecord] = [
        record(12, "665f1c2e9b1d4a0012ab34cd", .pending, user: "pe-lucía.quispe", amount: "12.50", currency: .pen, minutesAgo: 2),
        record(11, "665f1c2e9b1d4a0012ab34cc", .approved, method: .payOut, user: "mx-sofía.hernández", amount: "1234.50", currency: .mxn, minutesAgo: 4),
        record(10, "665f1c2e9b1d4a0012ab34cb", .declined, method: .payOut, amount: "150000", minutesAgo: 9, error: "PSP_TIMEOUT"),
        record(9, "665f1c2e9b1d4a0012ab34ca", .pending, user: "cl-ñandú.🦤", amount: "5000", minutesAgo: 95),
        record(8, "evil\u{1B}]0;owned\u{07}\u{202E}id", .approved, user: "x\u{1B}[2Jy", amount: "1", currency: .mxn, minutesAgo: 120, flags: [.conflict]),
        record(7, "665f1c2e9b1d4a0012ab34c8", .declined, user: "pe-mateo.flores", amount: "99.99", currency: .pen, minutesAgo: 200, error: "INVALID_PSP_CREDENTIALS", flags: [.mismatch]),
        record(6, "日本語の取引ID-0006", .approved, user: "mx-ximena.lopez", amount: "20000.00", currency: .mxn, minutesAgo: 300),
    ]

    /// The filter panel's grouped counts (status × country × currency × method × flagged).
    static let facets = TransactionFacets(cells: [
        .init(status: .approved, region: .chile, currency: .clp, method: .payIn, flagged: false, count: 812),
        .init(status: .approved, region: .peru, currency: .pen, method: .payOut, flagged: true, count: 3),
        .init(status: .approved, region: .mexico, currency: .mxn, method: .payIn, flagged: false, count: 97_520),
        .init(status: .declined, region: .chile, currency: .clp, method: .payOut, flagged: false, count: 1_204),
        .init(status: .declined, region: .peru, currency: .pen, method: .payIn, flagged: true, count: 17),
        .init(status: .pending, region: .chile, currency: .clp, method: .payIn, flagged: false, count: 230),
        .init(status: .pending, region: nil, currency: nil, method: .payIn, flagged: false, count: 2),
    ])

    /// A state with the list loaded and the follower running.
    static func state(size: Size = Size(width: 80, height: 24), environment: String = "sandbox") -> AppState {
        var session = session
        session.environment = environment
        var state = AppState(session: session, size: size, now: now, eventsPath: "/var/log/cleo/webhook-events.jsonl")
        state.transactions.pageSize = state.bodyHeight - 2
        _ = state.reduce(.followerChanged(follower))
        _ = state.reduce(.pageLoaded(TransactionPage(query: state.transactions.pageQuery(now: now), rows: rows, total: 1_234, overdue: 3, newestSeq: 12)))
        _ = state.reduce(.configLoaded(config))
        return state
    }

    static var follower: FollowerSnapshot {
        var snapshot = FollowerSnapshot(path: "/var/log/cleo/webhook-events.jsonl", phase: .following)
        var counts = FollowerCounts()
        counts.linesApplied = 1_280
        counts.events = 1_270
        counts.duplicates = 41
        counts.late = 3
        counts.rejected = 7
        snapshot.position = FollowerPosition(path: snapshot.path, file: snapshot.path, device: 1, inode: 2, headLength: 4_096, headHash: [],
                                             offset: 512_345, nextLine: 1_281, observedSize: 512_345, counts: counts,
                                             lastEventAt: now.adding(milliseconds: -3000), updatedAt: now)
        snapshot.notices = [FollowerNotice(kind: .rotation, detail: "/var/log/cleo/webhook-events.jsonl was rotated (the old file: webhook-events.jsonl.1); reading the new file from its start",
                                           at: now.adding(milliseconds: -7_200_000))]
        return snapshot
    }

    static let config = StoredConfiguration(
        version: 4,
        secrets: [
            .chileApiKey: .init(mask: "••••9f3a", fingerprint: "sha256:1a2b3c4d", setAt: now.adding(milliseconds: -3 * 86_400_000)),
            .peruApiKey: .init(mask: "••••77b1", fingerprint: "sha256:9e8d7c6b", setAt: now.adding(milliseconds: -86_400_000)),
        ],
        plain: [.customerExternalKeyForCleo: "mozarto-merchant-42", .isWebhookSecured: "false"],
        updatedAt: now.adding(milliseconds: -3_600_000), updatedBy: "maria")

    static let events: [EventRecord] = [
        EventRecord(file: "/var/log/cleo/webhook-events.jsonl", line: 1_201, offset: 480_100, receivedAt: now.adding(milliseconds: -9 * 60_000), receivedAtGiven: true,
                    status: .pending, rawStatus: "PENDING", message: "Payout submitted to Cleo", errorCode: nil, eventID: "ev-1", duplicate: false, late: false,
                    notes: nil, raw: Array("{\"transaction_id\":\"665f1c2e9b1d4a0012ab34cb\",\"method\":\"CLEO_PAYOUT\",\"transaction_status\":\"Pending\"}".utf8)),
        EventRecord(file: "/var/log/cleo/webhook-events.jsonl", line: 1_240, offset: 495_000, receivedAt: now.adding(milliseconds: -5 * 60_000), receivedAtGiven: true,
                    status: .declined, rawStatus: "REJECTED", message: "Cleo did not respond in time", errorCode: "PSP_TIMEOUT", eventID: "ev-2", duplicate: false,
                    late: false, notes: nil, raw: Array("{\"transaction_id\":\"665f1c2e9b1d4a0012ab34cb\",\"message\":\"esc \\u001b[31m red\",\"x\":\"\u{202E}\"}".utf8) + [0x1B, 0x5B, 0x32, 0x4A]),
        EventRecord(file: "/var/log/cleo/webhook-events.jsonl", line: 1_243, offset: 496_200, receivedAt: now.adding(milliseconds: -4 * 60_000), receivedAtGiven: true,
                    status: .declined, rawStatus: "REJECTED", message: "Cleo did not respond in time", errorCode: "PSP_TIMEOUT", eventID: "ev-2", duplicate: true,
                    late: false, notes: nil, raw: Array("{}".utf8)),
    ]
}
