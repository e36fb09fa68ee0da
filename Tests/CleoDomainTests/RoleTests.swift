import CleoDomain
import Testing

@Suite struct RoleTests {
    @Test func eachRoleMayDoWhatRolesMdSaysAndNoMore() {
        let fields = ConfigField.allCases
        for field in fields {
            #expect(OperatorRole.support.refusal(of: .set(field)) != nil)
            #expect(OperatorRole.engineer.refusal(of: .set(field)) == nil)
            #expect(OperatorRole.admin.refusal(of: .set(field)) == nil)
        }
        #expect(OperatorRole.support.refusal(of: .export) != nil)
        #expect(OperatorRole.engineer.refusal(of: .export) == nil)
        #expect(OperatorRole.engineer.refusal(of: .reveal) != nil)
        #expect(OperatorRole.admin.refusal(of: .reveal) == nil)
        for role in OperatorRole.allCases {
            #expect(OperatorRole.engineer.refusal(of: .grant(role)) != nil)
            #expect(OperatorRole.admin.refusal(of: .grant(role)) == nil)
        }
        #expect(OperatorRole.engineer.refusal(of: .revoke) != nil)
        #expect(OperatorRole.support.refusal(of: .decide) != nil)
        #expect(OperatorRole.engineer.refusal(of: .decide) == nil)
    }

    @Test func aRefusalSaysWhoMayAndNeverGrantsAboveOnesOwnRole() {
        #expect(OperatorRole.support.refusal(of: .set(.webhookUrl)) == "support may not set webhookUrl: that needs the role engineer")
        #expect(OperatorRole.support < OperatorRole.engineer && OperatorRole.engineer < OperatorRole.admin)
    }
}
