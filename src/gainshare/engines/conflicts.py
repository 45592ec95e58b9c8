"""The conflict-of-interest check: does a person deciding about a federation hold a current interest in it?

A pure function of the register and the decision; it returns flags with reasons and never refuses anything itself
(the service applies the policy: refuse or flag).
"""

from __future__ import annotations

from gainshare.domain.conflicts import ConflictFlag, Decision, Declaration, Register


def check_decision(register: Register, decision: Decision) -> tuple[ConflictFlag, ...]:
    """Flags for every declaration of the decider that is current on the decision date and concerns the federation
    or one of its member practices, in register order."""
    subjects = {decision.federation_code.upper()} | {code.upper() for code in decision.member_codes}
    flags: list[ConflictFlag] = []
    for declaration in register.of(decision.person):
        if declaration.organisation_code.upper() not in subjects or not declaration.current_on(decision.on):
            continue
        flags.append(ConflictFlag(declaration, decision, _reason(declaration, decision)))
    return tuple(flags)


def _reason(declaration: Declaration, decision: Decision) -> str:
    federation = decision.federation_name or decision.federation_code
    if declaration.organisation_code.upper() == decision.federation_code.upper():
        where = f"the federation {federation}"
    else:
        where = f"{declaration.organisation_name or declaration.organisation_code}, a member practice of {federation}"
    until = f"until {declaration.valid_to.isoformat()}" if declaration.valid_to else "with no end date"
    about = f" ({decision.subject})" if decision.subject else ""
    return (
        f"{declaration.person_name} declared a {declaration.nature.value} interest in {where} "
        f"({declaration.description}), current from {declaration.valid_from.isoformat()} {until}, "
        f"and is taking a {decision.kind.value} on {decision.on.isoformat()}{about}"
    )
