import CleoDomain
import CleoPlatform
import CleoStore
import ConsoleUI
import Foundation

/// Performs the database effects on a serial queue and posts their results as actions. A page
/// request still waiting is replaced by a newer one (a burst of updates costs one query).
public final class EffectRunner: @unchecked Sendable {
    let database: AppDatabase
    let mailbox: Mailbox
    let actor: Actor
    let clock: @Sendable () -> Timestamp
    private let queue = DispatchQueue(label: "cleo-console.effects")
    /// Counts over millions of rows run beside page loads (WAL lets reads run in parallel), so a
    /// page move never waits behind a count.
    private let countQueue = DispatchQueue(label: "cleo-console.counts")
    /// A key test waits up to the platform's timeout: never in front of the database's effects.
    private let cashierQueue = DispatchQueue(label: "cleo-console.cashier")
    private let exportQueue = DispatchQueue(label: "cleo-console.export")
    /// The process's environment, read for the platform's settings as `cashier --send` reads them.
    let environment: [String: String]
    private let lock = NSLock()
    private var pendingPage: TransactionQuery?
    private var pendingCount: CountRequest?
    /// The count running on `countQueue`, stopped when a count that supersedes it arrives.
    private var runningCount: (request: CountRequest, token: CancelToken)?

    public init(database: AppDatabase, mailbox: Mailbox, actor: Actor, clock: @escaping @Sendable () -> Timestamp,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
        self.database = database
        self.mailbox = mailbox
        self.actor = actor
        self.clock = clock
    }

    /// Whether a count is running now (what a test waits for before superseding it).
    public var isCounting: Bool { lock.withLock { runningCount != nil } }

    public func perform(_ effect: Effect) {
        switch effect {
        case .loadPage(let query):
            lock.lock()
            let alreadyQueued = pendingPage != nil
            pendingPage = query
            lock.unlock()
            if !alreadyQueued { queue.async { self.runPendingPage() } }
        case .countTransactions(let request):
            // When to count is the reducer's decision; a count still waiting is replaced.
            lock.lock()
            let alreadyQueued = pendingCount != nil
            pendingCount = request
            if let running = runningCount, request.supersedes(running.request) { running.token.cancel() }
            lock.unlock()
            if !alreadyQueued { countQueue.async { self.runPendingCount() } }
        case .testKey(let region):
            cashierQueue.async { self.mailbox.post(.keyTested(region, self.testKey(region))) }
        case .sendCashier(let request):
            cashierQueue.async { self.mailbox.post(.cashierSent(self.sendCashier(request))) }
        case .export(let request):
            // An export of a million rows takes seconds: never in front of the list's pages.
            exportQueue.async { self.mailbox.post(.exportFinished(TransactionExport.run(request, database: self.database))) }
        default:
            queue.async { self.run(effect) }
        }
    }

    private func runPendingPage() {
        lock.lock()
        let query = pendingPage
        pendingPage = nil
        lock.unlock()
        guard let query else { return }
        attempt {
            let (rows, newestSeq) = try database.transactionPage(query)
            mailbox.post(.pageLoaded(TransactionPage(query: query, rows: rows, total: -1, overdue: -1, newestSeq: newestSeq)))
        }
    }

    private func runPendingCount() {
        let token = CancelToken()
        lock.lock()
        let request = pendingCount
        pendingCount = nil
        runningCount = request.map { ($0, token) }
        lock.unlock()
        guard let request else { return }
        defer { lock.withLock { runningCount = nil } }
        attempt {
            var overdue = TransactionQuery()
            overdue.overdueMinutes = TransactionsScreen.overdueMinutes
            overdue.now = clock()
            do {
                let started = ContinuousClock.now
                let counted = try database.countTransactions(request.filters, atOrAfter: request.atOrBelow, overdue: overdue, facets: request.facets,
                                                             cancel: token)
                let took = started.duration(to: .now).components
                let changesAt = try database.nextOverdueAt(minutes: TransactionsScreen.overdueMinutes, now: overdue.now!)
                mailbox.post(.countsLoaded(request, Counts(total: counted.total, overdue: counted.overdue, above: counted.above, facets: counted.facets,
                                                           milliseconds: took.seconds * 1000 + took.attoseconds / 1_000_000_000_000_000,
                                                           overdueChangesAt: changesAt)))
            } catch is CancellationError {
                // Superseded: the count that replaced it is queued behind.
            }
        }
    }

    private func run(_ effect: Effect) {
        attempt {
            switch effect {
            case .countArrivals(let seq):
                mailbox.post(.arrivalsCounted(try database.countNewer(than: seq)))
            case .loadDetail(let id, let known):
                switch try database.transactionDetail(id: id, knownEventCount: known, eventLimit: TransactionDetailScreen.timelineLimit) {
                case .missing: mailbox.post(.detailMissing(id))
                case .unchanged: break
                case .loaded(let record, let events, let total): mailbox.post(.detailLoaded(record, events, totalEvents: total))
                }
            case .loadTimeline(let txSeq, let window):
                let page = try database.timeline(txSeq: txSeq, window: window, limit: TransactionDetailScreen.timelineLimit)
                mailbox.post(.timelineLoaded(txSeq: txSeq, page.events, total: page.total, after: page.after, window: window))
            case .loadEventRaw(let rowID):
                if let raw = try database.eventRaw(rowID: rowID) { mailbox.post(.eventRawLoaded(rowID: rowID, raw)) }
            case .loadConfig:
                mailbox.post(.configLoaded(try database.configuration()))
                mailbox.post(.lastTestsLoaded(try database.cashierLastTests()))
                mailbox.post(.pendingLoaded(try database.pendingChanges(now: clock())))
            case .decidePending(let decision, let id):
                mailbox.post(.pendingDecided(decision, id: id, decide(decision, id: id)))
            case .revealSecret(let field):
                mailbox.post(.secretRevealed(field, reveal(field)))
            case .saveConfig(let edits, let authorization, let version):
                do {
                    let outcome = try database.saveOrPropose(edits.map { ($0.field, $0.value) }, authorization: authorization, expectedVersion: version,
                                                             actor: actor, now: clock())
                    mailbox.post(.configSaved(outcome.stored, proposed: outcome.proposed))
                } catch let error as StoreError {
                    if case .configChangedSince = error {
                        mailbox.post(.configSaveFailed(error.description, try? database.configuration()))
                    } else {
                        mailbox.post(.configSaveFailed(error.description, nil))
                    }
                } catch let violation as ConfigRuleViolation {
                    mailbox.post(.configSaveFailed(violation.description, nil))
                } catch let refusal as PermissionRefusal {
                    mailbox.post(.configSaveFailed(refusal.description, nil))
                } catch let refusal as WebhookAuthorizationRefusal {
                    mailbox.post(.configSaveFailed(refusal.description, nil))
                }
            case .auditRefusedChange(let field):
                // The store's one check: it audits the refusal (the reducer has said the reason).
                do { try database.authorize(actor, .set(field), field: field.rawValue, now: clock()) } catch is PermissionRefusal {}
            case .auditRefusedAuthorization:
                do { try database.authorize(actor, .setWebhookAuthorization, field: WebhookAuthorization.fieldName, now: clock()) } catch is PermissionRefusal {}
            case .fingerprintSecret(let field, let value):
                mailbox.post(fingerprinted(field, value))
            case .loadAudit:
                let page = try database.auditTrailNewest(limit: AuditScreen.pageLimit)
                mailbox.post(.auditLoaded(page.entries, total: page.total))
            case .loadAuditPage(let window, let search):
                let page = try database.auditPage(window, search: search, limit: AuditScreen.pageLimit)
                mailbox.post(.auditPageLoaded(page.entries, total: page.total, above: page.above, window: window, search: search))
            case .loadRejected(let window):
                let page = try database.rejectedLinesPage(window, limit: EventsScreen.pageLimit)
                mailbox.post(.rejectedLoaded(page.lines, total: page.total, above: page.above, window: window))
            case .loadRefused(let window):
                let page = try database.refusedDeliveriesPage(window, limit: EventsScreen.pageLimit)
                mailbox.post(.refusedLoaded(page.refusals, total: page.total, above: page.above, window: window))
            case .loadRefusedBody(let id):
                if let body = try database.refusedBody(id: id) { mailbox.post(.refusedBodyLoaded(id: id, body)) }
            case .loadPage, .countTransactions, .testKey, .sendCashier, .export, .copy, .repaint, .quit:
                break
            }
        }
    }

    /// `t` on a regional key: the country's template pay-in, with the stored key, sent and recorded
    /// as `cashier payin --country XX --send` would (the reducer asked first in production).
    private func testKey(_ region: Region) -> KeyTestResult {
        do {
            guard let tokenPath = CashierSender.tokenPath(given: nil, environment: environment) else {
                return .notSent("no company token: start the console with CLEO_CONSOLE_TOKEN_FILE=FILE (never on the command line)")
            }
            let stored = try database.configuration()
            guard let key = stored.secrets[region.apiKeyField] else { return .notSent("\(region.apiKeyField.rawValue) is not set") }
            let token = try CashierSender.readToken(tokenPath, what: "company token")
            let base = try CashierSender.baseURL(given: nil, environment: environment, database: database.environment)
            let timeout = try CashierSender.timeoutSeconds(given: nil, environment: environment)
            let request = CashierBody.template(region, method: .payIn)
            let now = clock()
            let today = String(RFC3339.format(now, offsetSeconds: TimeZone.current.secondsFromGMT()).prefix(10))
            let validation = CashierRequest.validate(request, today: today, expected: .payIn)
            guard validation.isValid else {
                return .notSent("the test request has problems: " + validation.problems.map(\.description).joined(separator: "; "))
            }
            var userID = ""
            if case .string(let id)? = request["userId"] { userID = id }
            let sent = CashierSender.sendAndRecord(.init(
                baseURL: base, body: CashierBody.render(.object(request)), token: token, userToken: nil, timeoutSeconds: timeout,
                method: .payIn, region: region, userID: userID, amount: validation.amount?.literal ?? "",
                keyFingerprint: key.fingerprint, actor: actor, at: now), database: database)
            return .answered(sent.outcome, at: now, recordError: sent.recordError)
        } catch let problem as CashierSendProblem {
            return .notSent(problem.message)
        } catch {
            return .notSent("database: \(error)")
        }
    }

    private func attempt(_ body: () throws -> Void) {
        do { try body() } catch { mailbox.post(.failed("database: \(error)")) }
    }
}
