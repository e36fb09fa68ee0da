@testable import CleoDomain
import Testing

/// Several statuses at once, and the filter panel's counts per value summed from groups.
@Suite struct ListFilterTests {
    @Test func statusesAreNamesSeparatedByCommasAndAnUnknownOneIsAnError() {
        #expect(TransactionQuery.parseStatuses("approved,DECLINED") == .success([.approved, .declined]))
        #expect(TransactionQuery.parseStatuses(" Pending , approved ") == .success([.pending, .approved]))
        #expect(TransactionQuery.parseStatuses("pending approved") == .success([.pending, .approved]))
        #expect(TransactionQuery.parseStatuses("approved,aproved") == .failure(.init(word: "aproved")))
        #expect(TransactionQuery.parseStatuses(",") == .failure(.init(word: ",")))
        #expect(TransactionQuery.parseStatuses("Approvedx") == .failure(.init(word: "Approvedx")))
    }

    @Test func severalStatusesShowInTheSummaryAndAllThreeAreNoFilter() {
        var query = TransactionQuery()
        query.statuses = [.declined, .approved]
        #expect(query.isFiltered)
        #expect(query.summary == "status=Approved,Declined")
        #expect(query.status == nil)
        query.statuses = Set(TransactionStatus.allCases)
        #expect(!query.isFiltered)
        #expect(query.statusFilter.isEmpty)
        query.status = .pending
        #expect(query.statuses == [.pending])
    }

    @Test func eachFacetIgnoresItsOwnFilterAndKeepsTheOthers() {
        typealias Cell = TransactionFacets.Cell
        let facets = TransactionFacets(cells: [
            Cell(status: .approved, region: .chile, currency: .clp, method: .payIn, flagged: false, count: 10),
            Cell(status: .approved, region: .peru, currency: .pen, method: .payOut, flagged: true, count: 3),
            Cell(status: .declined, region: .chile, currency: .clp, method: .payOut, flagged: false, count: 5),
            Cell(status: .pending, region: nil, currency: nil, method: .payIn, flagged: false, count: 2),
            // A currency without a country, and a MISMATCH keeping CLP beside PE.
            Cell(status: .approved, region: nil, currency: .clp, method: .payIn, flagged: false, count: 7),
            Cell(status: .approved, region: .peru, currency: .clp, method: .payIn, flagged: true, count: 1),
        ])
        var query = TransactionQuery()
        #expect(facets.count(.approved, in: query) == 21)
        #expect(facets.count(.chile, in: query) == 15)
        #expect(facets.count(.peru, in: query) == 4)
        // A currency with its own country, as the list filters: CLP without a country or beside PE is under none.
        #expect(facets.count(.clp, in: query) == 15)
        #expect(facets.count(.pen, in: query) == 3)
        #expect(facets.count(.payIn, in: query) == 20)
        #expect(facets.countFlagged(in: query) == 4)
        query.statuses = [.approved, .declined]
        query.currency = .clp
        // Status counts keep the currency but not the statuses chosen.
        #expect(facets.count(.approved, in: query) == 10)
        #expect(facets.count(.pending, in: query) == 0)
        #expect(facets.count(.declined, in: query) == 5)
        // Currency counts keep the statuses, not the currency chosen.
        #expect(facets.count(.clp, in: query) == 15 && facets.count(.pen, in: query) == 3)
        // Country counts keep the statuses and the currency: CLP is Chile's alone.
        #expect(facets.count(.peru, in: query) == 0)
        #expect(facets.count(.chile, in: query) == 15)
        #expect(facets.count(.payOut, in: query) == 5)
        // The base query of the grouped count has no facet filter, the others kept.
        query.userID = "u-1"
        let base = TransactionFacets.base(of: query)
        #expect(base.statuses.isEmpty && base.currency == nil && base.userID == "u-1")
    }
}
