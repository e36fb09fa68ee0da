import CleoDomain
import CleoIngest
import TerminalCanvas

/// Everything that can happen to the console: keys and resizes, and past-tense facts from the
/// edges (a page loaded, the follower moved, the clock ticked).
public enum Action: Sendable, Equatable {
    case key(Key)
    case resized(Size)
    case clockTicked(Timestamp)
    case pageLoaded(TransactionPage)
    /// Counts come separately: a count over millions of rows must not delay the first screen.
    case countsLoaded(CountRequest, Counts)
    case arrivalsCounted(Int)
    /// The detail's row and the newest page of its timeline (raw lines not loaded), of `totalEvents`.
    case detailLoaded(TransactionRecord, [EventRecord], totalEvents: Int)
    /// A page of a transaction's timeline (log order, raw lines not loaded) at `window`, of
    /// `total` events, `after` of them later than the page.
    case timelineLoaded(txSeq: Int64, [EventRecord], total: Int, after: Int, window: RowWindow)
    /// An event's raw line, for the raw view.
    case eventRawLoaded(rowID: Int64, [UInt8])
    case detailMissing(String)
    case configLoaded(StoredConfiguration)
    /// Saved; in production `proposed` lists what waits for a second person instead.
    case configSaved(StoredConfiguration, proposed: [PendingChange] = [])
    case configSaveFailed(String, StoredConfiguration?)
    /// Each region's last cashier test (cashier.md, `lastTest`), beside its key in Config.
    case lastTestsLoaded([Region: CashierLastTest])
    /// What `t`'s sandbox test pay-in of a region's key got.
    case keyTested(Region, KeyTestResult)
    /// The changes that wait for a second person (production), oldest first.
    case pendingLoaded([PendingChange])
    /// What the store said to `a`/`x` on a pending change (decided, or refused with the reason).
    case pendingDecided(PendingDecision, id: Int64, DecisionResult)
    /// The clear value of a secret `v` asked for (audited as `viewed`), or why not.
    case secretRevealed(PendingField, RevealResult)
    /// The keyed fingerprint an unsaved secret (`value`) will be stored with, or nil and why not.
    case secretFingerprinted(PendingField, value: String, fingerprint: String?, unavailable: String?)
    /// What the `:cashier` form's send got.
    case cashierSent(CashierFormResult)
    /// The newest audit entries (oldest first among them) and how many there are in all.
    case auditLoaded([AuditEntry], total: Int)
    /// A page of the Audit screen (oldest first among them) at `window` for `search`, how many
    /// match in all and how many matching ones are newer than the page.
    case auditPageLoaded([AuditEntry], total: Int, above: Int, window: RowWindow, search: String?)
    /// A page of rejected lines (newest first) at `window`, how many there are in all and how
    /// many are newer than the page.
    case rejectedLoaded([RejectedLine], total: Int, above: Int = 0, window: RowWindow = .newest)
    /// A page of refused deliveries (newest first, bodies not read), as `rejectedLoaded`.
    case refusedLoaded([RefusedDelivery], total: Int, above: Int = 0, window: RowWindow = .newest)
    /// A refused delivery's kept body, for the raw view.
    case refusedBodyLoaded(id: Int64, [UInt8])
    case followerChanged(FollowerSnapshot)
    /// What the `serve` of this database last wrote of itself (nil: none ever ran).
    case serviceStateRead(ServiceState?)
    /// Our follower or another process committed: what is on screen may be stale.
    case dataChanged(DataChange)
    /// What `:export` came to.
    case exportFinished(ExportOutcome)
    case failed(String)
}

/// What the store answered for a page request.
public struct TransactionPage: Sendable, Equatable {
    public var query: TransactionQuery
    public var rows: [TransactionRecord]
    /// Matching the filters (cursor aside).
    public var total: Int
    /// Pending longer than 30 minutes, among all transactions.
    public var overdue: Int
    /// The newest transaction's sequence number (to count arrivals while paused).
    public var newestSeq: Int64?

    public init(query: TransactionQuery, rows: [TransactionRecord], total: Int, overdue: Int, newestSeq: Int64?) {
        self.query = query
        self.rows = rows
        self.total = total
        self.overdue = overdue
        self.newestSeq = newestSeq
    }
}

/// What a commit changed, as the console hears of it: one feed for our follower's commits and
/// another process's.
public enum DataChange: Sendable, Equatable {
    /// Our follower committed lines of these transactions (nil: too many to list).
    case ours(touched: Set<ByteKey>?)
    /// Another process committed (another console, `ingest --follow`, `serve`): anything may
    /// have changed.
    case foreign

    /// Two changes waiting in the mailbox as one.
    public func merged(with other: DataChange) -> DataChange {
        switch (self, other) {
        case (.ours(let a), .ours(let b)): .ours(touched: BatchSummary.union(a, b))
        default: .foreign
        }
    }

    /// Whether the transaction `id` may have changed.
    public func mayHaveChanged(_ id: String) -> Bool {
        guard case .ours(let touched?) = self else { return true }
        return touched.contains(ByteKey(id))
    }
}

/// I/O the runtime performs; results come back as actions.
public enum Effect: Sendable, Equatable {
    case loadPage(TransactionQuery)
    /// The list's counts (total, overdue, rows above the window): see `AppState.requestCounts`.
    case countTransactions(CountRequest)
    case countArrivals(after: Int64)
    /// Loads the detail unless it still has `knownEventCount` events (nothing changed).
    case loadDetail(String, knownEventCount: Int?)
    case loadEventRaw(rowID: Int64)
    /// A page of the detail's timeline (keyset on the event's id; `.newest` is its end).
    case loadTimeline(txSeq: Int64, RowWindow)
    case loadConfig
    /// The fields' edits and a new `webhookAuthorization` (one save, one version).
    case saveConfig([ConfigEdit], authorization: String? = nil, expectedVersion: Int64)
    /// A change the session's role may not make, refused on screen: the store audits the attempt.
    case auditRefusedChange(ConfigField)
    case auditRefusedAuthorization
    /// The keyed fingerprint of an unsaved secret, computed where the key file is (never in the reducer).
    case fingerprintSecret(PendingField, String)
    /// A test pay-in with the region's stored key, sent to the platform and recorded (cashier.md, key health).
    case testKey(Region)
    /// Approve or reject a pending change through the store's one path (audited as the CLI's).
    case decidePending(PendingDecision, id: Int64)
    /// The clear value of a secret, for at most 10 s on screen (admin only, audited `viewed`).
    case revealSecret(PendingField)
    /// The `:cashier` form's request, sent and recorded as `cashier payin|payout --send` does.
    case sendCashier(CashierFormRequest)
    /// The newest audit entries (Config names where another operator's save came from).
    case loadAudit
    /// A page of the Audit screen (keyset on id; the search by field or user runs in SQL).
    case loadAuditPage(RowWindow, search: String?)
    /// `EventsScreen.pageLimit` rejected lines at the window, newest first (keyset on id, never the whole table).
    case loadRejected(RowWindow)
    /// `EventsScreen.pageLimit` refused deliveries at the window, newest first, without their bodies.
    case loadRefused(RowWindow)
    case loadRefusedBody(id: Int64)
    /// `:export FILE`: the filtered list to CSV (TransactionsScreen+Export).
    case export(ExportRequest)
    /// OSC 52: the terminal copies the text to the clipboard (works over SSH).
    case copy(String)
    case repaint
    case quit
}

/// One field's new value, in clear in memory only until it is sealed by the store.
public struct ConfigEdit: Sendable, Equatable {
    public var field: ConfigField
    public var value: String
    public init(field: ConfigField, value: String) {
        self.field = field
        self.value = value
    }
}

/// What a key test came to: the platform's answer (recorded unless `recordError` says why not),
/// or why nothing was sent.
public enum KeyTestResult: Sendable, Equatable {
    case answered(CashierOutcome, at: Timestamp, recordError: String?)
    case notSent(String)
}

/// `a` approves, `x` rejects (roles.md, four eyes).
public enum PendingDecision: String, Sendable, Equatable { case approve, reject }

public enum DecisionResult: Sendable, Equatable {
    case decided(PendingChange)
    case refused(String)
}

public enum RevealResult: Sendable, Equatable {
    /// The clear value and when the store handed it out (the 10 s count from then).
    case shown(String, at: Timestamp)
    case refused(String)
}

/// The form's body, ready to send: the exact JSON text and what the history records of it.
public struct CashierFormRequest: Sendable, Equatable {
    public var method: PaymentMethod
    public var region: Region
    public var body: String
    public var userID: String
    public var amount: String
    public init(method: PaymentMethod, region: Region, body: String, userID: String, amount: String) {
        self.method = method
        self.region = region
        self.body = body
        self.userID = userID
        self.amount = amount
    }
}

public enum CashierFormResult: Sendable, Equatable {
    /// `listed`: a Pending transaction was listed for it (origin: cashier).
    case answered(CashierOutcome, listed: Bool, recordError: String?)
    case notSent(String)
}
