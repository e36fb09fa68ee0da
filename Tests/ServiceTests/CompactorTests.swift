import Testing
@testable import CleoService
