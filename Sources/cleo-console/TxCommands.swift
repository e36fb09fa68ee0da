import ArgumentParser
import CleoDomain
import CleoStore
import ConsoleRuntime
import Foundation
import TerminalCanvas

struct TxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tx", abstract: "List and show transactions.", subcommands: [List.self, ShowOne.self])
}

extension TxCommand {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Transactions, newest first (the order first seen).")
        @OptionGroup var location: Location
        @Option(help: "Pending, Approved or Declined; several with commas (Approved,Declined).") var status: String?
        @Option(help: "CL, PE or MX.") var country: String?
        @Option(help: "CLP, PEN or MXN.") var currency: String?
        @Option(help: "PAYIN or PAYOUT.") var method: String?
        @Option(help: "Exact user id.") var user: String?
        @Option(help: "A prefix of the transaction id, psp id, user id or merchant reference.") var search: String?
        @Flag(help: "Only CONFLICT or MISMATCH.") var flagged = false
        @Option(help: "The transaction's time at or after (RFC 3339, YYYY-MM-DD, or a duration back from now: 90m, 6h, 2d).") var since: String?
        @Option(help: "The transaction's time at or before (RFC 3339, YYYY-MM-DD (the whole day), or a duration back from now).") var until: String?
        @Option(name: .long, help: "Still Pending longer than MINUTES (default 30 when given without a value).")
        var overdue: Int?
        @Flag(name: .customLong("overdue-default"), help: .hidden) var overdueDefault = false
        @Option(help: "At most N rows (0: all).") var limit: Int = 100
        @Flag(help: "JSON for scripts.") var json = false
        @Flag(help: "CSV for spreadsheets.") var csv = false

        /// `--overdue` may come without MINUTES: rewrite it before parsing.
        static func rewriteArguments(_ arguments: [String]) -> [String] {
            var out: [String] = []
            for (index, argument) in arguments.enumerated() {
                if argument == "--overdue" {
                    let next = index + 1 < arguments.count ? arguments[index + 1] : nil
                    if next == nil || Int(next!) == nil { out.append("--overdue-default"); continue }
                }
                out.append(argument)
            }
            return out
        }

        func validate() throws {
            if json && csv { throw ValidationError("choose one of --json and --csv") }
            if limit < 0 { throw ValidationError("--limit must be 0 (all) or more") }
            if let overdue, overdue < 0 { throw ValidationError("--overdue takes minutes, 0 or more") }
        }

        func query(time: OperatorTime) throws -> TransactionQuery {
            var query = TransactionQuery()
            let now = Timestamp.now()
            if let status {
                guard case .success(let values) = TransactionQuery.parseStatuses(status) else {
                    throw Failure.usage("--status must be Pending, Approved or Declined, or several with commas (Approved,Declined)")
                }
                query.statuses = values
            }
            if let country {
                guard let value = Region(countryCode: country.uppercased()) else { throw Failure.usage("--country must be CL, PE or MX") }
                query.region = value
            }
            if let currency {
                guard let value = Currency(code: currency.uppercased()) else { throw Failure.usage("--currency must be CLP, PEN or MXN") }
                query.currency = value
            }
            if let method {
                guard let value = PaymentMethod(shortName: method) else { throw Failure.usage("--method must be PAYIN or PAYOUT") }
                query.method = value
            }
            query.userID = user
            query.search = search.map(TransactionQuery.normalisedSearch)
            query.flaggedOnly = flagged
            if let since {
                guard let value = time.bound(since, endOfDay: false, now: now) else { throw Failure.usage("--since must be RFC 3339, YYYY-MM-DD or a duration such as 90m, 6h, 2d") }
                query.since = value
            }
            if let until {
                guard let value = time.bound(until, endOfDay: true, now: now) else { throw Failure.usage("--until must be RFC 3339, YYYY-MM-DD or a duration such as 90m, 6h, 2d") }
                query.until = value
            }
            if overdue != nil || overdueDefault {
                query.overdueMinutes = overdue ?? 30
                query.now = now
            }
            query.limit = limit
            return query
        }

        func run() throws {
            try runReporting {
                let time = OperatorTime()
                let query = try query(time: time)
                let database = try location.openForReading()
                let rows = try database.transactions(query)
                if json {
                    printOut(JSONOut.array(rows.map { TxJSON.object($0, time: time) }).rendered())
                } else if csv {
                    // The console's :export writes the same lines (one writer).
                    printOut(TransactionCSV.headerLine)
                    for row in rows { printOut(TransactionCSV.line(row, time: time.rfc3339)) }
                } else {
                    TxTable.print(rows, time: time, environment: database.environment, total: rows.count)
                }
            }
        }
    }

    struct ShowOne: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "One transaction with its whole event timeline.")
        @OptionGroup var location: Location
        @Argument(help: "The transaction id (exact).") var id: String
        @Flag(help: "JSON for scripts.") var json = false

        func run() throws {
            try runReporting {
                let database = try location.openForReading()
                let time = OperatorTime()
                // cashier.md: a transaction created by `cashier --send` says so.
                let origin = try database.transactionOrigin(id: id) ?? "webhook"
                var events = 0
                // Printed as read, one event at a time: a timeline of huge messages is never held
                // whole, and a closed pipe ends the read (the write throws).
                let found = try database.transaction(id: id, { record in
                    if json {
                        guard case .object(var members) = TxJSON.object(record, time: time) else { return }
                        members.append(("origin", .string(origin)))
                        // The object but its last brace, then its events one by one: byte for byte
                        // what rendering it whole gives (`TxShowStreamingTests`).
                        try StandardOutput.write(String(JSONOut.object(members).rendered().dropLast(2)) + ",\n  \"events\": [", terminator: "")
                    } else {
                        TxTable.detail(record, time: time)
                    }
                }, each: { event in
                    if json {
                        try StandardOutput.write((events == 0 ? "\n    " : ",\n    ") + TxJSON.event(event, time: time).rendered(indent: 2), terminator: "")
                    } else {
                        try StandardOutput.write(TxTable.eventLine(event, time: time))
                    }
                    events += 1
                })
                guard found else {
                    throw Failure.general("no transaction with id \(TerminalText.sanitized(id)); try `cleo-console tx list --search PREFIX`")
                }
                if json {
                    printOut(events == 0 ? "]\n}" : "\n  ]\n}")
                } else if origin == "cashier" {
                    printOut("origin: cashier (created by cleo-console cashier --send; listed before its first webhook)")
                }
            }
        }
    }
}

/// The JSON shapes of cli.md (CSV: `TransactionCSV`).
enum TxJSON {
    static func object(_ r: TransactionRecord, time: OperatorTime) -> JSONOut {
        .object([
            ("transaction_id", .string(r.id)), ("method", .string(r.method.rawValue)), ("status", .string(r.status.rawValue)),
            ("raw_status", .string(r.rawStatus)), ("errorCode", .optional(r.errorCode)), ("message", .optional(r.message)),
            ("amount", .optional(r.amount?.literal)), ("currency", .optional(r.currency?.rawValue)), ("country", .optional(r.region?.countryCode)),
            ("user_id", .string(r.userID)), ("psp_transaction_id", .optional(r.pspTransactionID)),
            ("merchantReference", .optional(r.merchantReference)), ("flags", .array(r.flags.names.map(JSONOut.string))),
            ("event_count", .number(String(r.eventCount))), ("first_seen_at", .string(time.rfc3339(r.firstSeenAt))),
            ("updated_at", .string(time.rfc3339(r.updatedAt))),
        ])
    }

    static func event(_ e: EventRecord, time: OperatorTime) -> JSONOut {
        .object([
            ("file", .string(e.file)), ("line", .number(String(e.line))), ("offset", .number(String(e.offset))),
            ("receivedAt", .string(time.rfc3339(e.receivedAt))), ("transaction_status", .string(e.status.rawValue)),
            ("status", .string(e.rawStatus)), ("message", .optional(e.message)), ("errorCode", .optional(e.errorCode)),
            ("duplicate", .bool(e.duplicate)), ("late", .bool(e.late)),
        ])
    }
}

/// The human table and detail: every text sanitised and cut to its column.
enum TxTable {
    static func print(_ rows: [TransactionRecord], time: OperatorTime, environment: ConsoleEnvironment, total: Int) {
        if rows.isEmpty {
            printOut("no transactions match (ingest the events log with `cleo-console ingest`, or try fewer filters)")
            return
        }
        let cells = rows.map { r in
            [time.short(r.firstSeenAt), r.id, r.method.displayName, r.region?.countryCode ?? "–",
             r.amount?.formatted(currency: r.currency) ?? "–", r.status.label, r.userID, r.errorCode ?? "",
             r.flags.names.joined(separator: ",")].map(TerminalText.sanitized)
        }
        // Piped or redirected: every value whole (issue 10). On a terminal: fitted to its width —
        // the error, then the user cut and then dropped, then the flags and the id cut.
        let layout = TableLayout(columns, rows: cells, available: terminalColumns())
        printOut(layout.header)
        for row in cells { printOut(layout.line(row)) }
        printOut("\(total) shown · times in \(time.zoneName) · \(environment.rawValue)")
    }

    static let columns = [
        TableColumn("FIRST SEEN"), TableColumn("TRANSACTION", minimum: 14, rank: 3, cutsInTheMiddle: true), TableColumn("METHOD"), TableColumn("CC"),
        TableColumn("AMOUNT", alignRight: true), TableColumn("STATUS"), TableColumn("USER", minimum: 8, droppable: true, rank: 1),
        TableColumn("ERROR", minimum: 8, droppable: true, rank: 0), TableColumn("FLAGS", minimum: 5, rank: 2),
    ]

    /// The terminal's width when standard output is one; nil for a pipe or a file.
    static func terminalColumns() -> Int? {
        guard isatty(STDOUT_FILENO) == 1 else { return nil }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 80
    }

    static func detail(_ r: TransactionRecord, time: OperatorTime) {
        func line(_ label: String, _ value: String?) {
            printOut(TerminalText.padded(label, to: 20) + TerminalText.sanitized(value ?? "–"))
        }
        line("transaction_id", r.id)
        line("method", "\(r.method.rawValue) (\(r.method.displayName))")
        line("status", r.status.label + (r.rawStatus.isEmpty ? "" : "  raw: \(r.rawStatus)"))
        line("amount", r.amount?.formatted(currency: r.currency))
        line("country", r.region.map { "\($0.countryCode) \($0.displayName) — key: \($0.apiKeyField.rawValue)" })
        line("user_id", r.userID)
        line("psp_transaction_id", r.pspTransactionID)
        line("merchantReference", r.merchantReference)
        line("message", r.message)
        if let code = r.errorCode {
            if let known = PSPErrorCode(code: code) {
                line("errorCode", "\(code): \(known.meaning)")
                line("guidance", known.guidance(for: r.method))
            } else {
                line("errorCode", "\(code) (not a code Cleo Console knows; shown as received)")
            }
        }
        if r.flags.contains(.conflict) { line("CONFLICT", "a final status was followed by a different final status; support must look at it") }
        if r.flags.contains(.mismatch) { line("MISMATCH", "an event disagreed with this transaction's method, user, amount, currency or country") }
        line("first seen", time.short(r.firstSeenAt) + " " + time.zoneName)
        line("events", String(r.eventCount))
    }

    /// One event of the timeline under the detail, sanitised.
    static func eventLine(_ e: EventRecord, time: OperatorTime) -> String {
        var marks: [String] = []
        if e.duplicate { marks.append("duplicate") }
        if e.late { marks.append("late") }
        return TerminalText.sanitized("  \(time.short(e.receivedAt))  \(e.status.rawValue)  raw: \(e.rawStatus)  \(e.message ?? "")  \(e.errorCode ?? "")  \(marks.joined(separator: ","))  \(e.file):\(e.line)")
    }
}
