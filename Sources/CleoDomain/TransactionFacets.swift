/// Counts per filter value for the filter panel (faceted search): how many transactions each
/// choice would show, given the other filters. The store answers one grouped query (`Cell`s
/// over status × country × currency × method × flagged, under the filters that are not facets); every
/// facet is summed here, so the rules are pure and tested without a database.
public struct TransactionFacets: Sendable, Equatable {
    /// One group of the grouped query.
    public struct Cell: Sendable, Hashable {
        public var status: TransactionStatus
        public var region: Region?
        /// The parser keeps it in step with the country (a lone currency's country is taken from
        /// it); a row written otherwise may not be, and is then under no currency.
        public var currency: Currency?
        public var method: PaymentMethod
        public var flagged: Bool
        public var count: Int
        public init(status: TransactionStatus, region: Region?, currency: Currency?, method: PaymentMethod, flagged: Bool, count: Int) {
            self.status = status
            self.region = region
            self.currency = currency
            self.method = method
            self.flagged = flagged
            self.count = count
        }
    }

    public var cells: [Cell]
    public init(cells: [Cell]) { self.cells = cells }

    /// The query the grouped count runs under: every facet's filter taken off.
    public static func base(of query: TransactionQuery) -> TransactionQuery {
        var base = query
        base.statuses = []
        base.region = nil
        base.currency = nil
        base.method = nil
        base.flaggedOnly = false
        base.cursor = .newest
        base.limit = 0
        return base
    }

    /// Which facet a count leaves free (its own filter is not applied to it).
    enum Facet { case status, country, currency, method, flagged }

    /// Whether a cell passes `query`'s facet filters, the free one aside.
    func passes(_ cell: Cell, _ query: TransactionQuery, free: Facet) -> Bool {
        if free != .status, !query.statusFilter.isEmpty, !query.statusFilter.contains(cell.status) { return false }
        if free != .country, let region = query.region, cell.region != region { return false }
        if free != .currency, let currency = query.currency, !Self.holds(cell, currency) { return false }
        if free != .method, let method = query.method, cell.method != method { return false }
        if free != .flagged, query.flaggedOnly, !cell.flagged { return false }
        return true
    }

    func sum(_ query: TransactionQuery, free: Facet, _ isValue: (Cell) -> Bool) -> Int {
        cells.reduce(0) { $0 + (isValue($1) && passes($1, query, free: free) ? $1.count : 0) }
    }

    /// Transactions of `status` under the other filters.
    public func count(_ status: TransactionStatus, in query: TransactionQuery) -> Int {
        sum(query, free: .status) { $0.status == status }
    }

    /// Transactions of `region` under the other filters.
    public func count(_ region: Region, in query: TransactionQuery) -> Int {
        sum(query, free: .country) { $0.region == region }
    }

    /// Transactions in `currency` with its own country (as the list filters) under the other filters.
    public func count(_ currency: Currency, in query: TransactionQuery) -> Int {
        sum(query, free: .currency) { Self.holds($0, currency) }
    }

    /// A currency with its own country, as the list filters (`AppDatabase.whereClause`).
    static func holds(_ cell: Cell, _ currency: Currency) -> Bool {
        cell.currency == currency && cell.region == currency.region
    }

    public func count(_ method: PaymentMethod, in query: TransactionQuery) -> Int {
        sum(query, free: .method) { $0.method == method }
    }

    /// Flagged transactions (CONFLICT or MISMATCH) under the other filters.
    public func countFlagged(in query: TransactionQuery) -> Int {
        sum(query, free: .flagged) { $0.flagged }
    }
}
