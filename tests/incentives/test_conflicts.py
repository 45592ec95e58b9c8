"""The conflict check (pure) and the register reports."""

from __future__ import annotations

from datetime import date

from gainshare.domain.conflicts import Decision, DecisionKind, Declaration, InterestNature, Register
from gainshare.engines.conflicts import check_decision
from gainshare.reports.conflicts import register_csv, register_html


def declaration(organisation: str = "C82001", until: date | None = None) -> Declaration:
    return Declaration(
        person="a.gp@nhs.net",
        person_name="Dr A GP",
        role="Governing body GP member",
        organisation_code=organisation,
        organisation_name="The Surgery",
        nature=InterestNature.FINANCIAL,
        description="Partner in the practice",
        valid_from=date(2014, 4, 1),
        valid_to=until,
    )


def decision(person: str = "A.GP@nhs.net", on: date = date(2016, 4, 1)) -> Decision:
    return Decision(
        DecisionKind.MILESTONE_SIGN_OFF,
        person.lower(),
        on,
        "Y02345",
        "ELR GP Federation",
        frozenset({"C82001"}),
        "year-1",
    )


def test_a_current_interest_in_a_member_practice_is_flagged_with_its_reason() -> None:
    [flag] = check_decision(Register((declaration(),)), decision())
    assert flag.reason == (
        "Dr A GP declared a financial interest in The Surgery, a member practice of ELR GP Federation "
        "(Partner in the practice), current from 2014-04-01 with no end date, and is taking a milestone sign-off "
        "on 2016-04-01 (year-1)"
    )


def test_an_interest_in_the_federation_itself_is_flagged() -> None:
    [flag] = check_decision(Register((declaration("Y02345"),)), decision())
    assert "in the federation ELR GP Federation" in flag.reason


def test_ended_interests_other_people_and_other_organisations_are_not_flagged() -> None:
    register = Register((declaration(until=date(2016, 3, 31)), declaration("C99999")))
    assert check_decision(register, decision()) == ()
    assert check_decision(Register((declaration(),)), decision(person="someone@nhs.net")) == ()
    assert len(check_decision(register, decision(on=date(2016, 3, 31)))) == 1  # the last day still counts


def test_the_register_prints_as_csv_and_escaped_html() -> None:
    register = Register((declaration(), declaration("Y02345", until=date(2017, 3, 31))), source="NHS ELR CCG")
    text = register_csv(register)
    assert text.splitlines()[0].startswith("name,email,role,organisation_code")
    assert "Dr A GP,a.gp@nhs.net,Governing body GP member,C82001,The Surgery,financial" in text
    html = register_html(register, as_of=date(2018, 1, 1))
    assert "<h1>Register of declared interests: NHS ELR CCG</h1>" in html
    assert html.count('<tr class="declaration') == 2
    assert "ended" in html
    evil = Register((Declaration("x@y.z", "<script>", "", "C1", "", InterestNature.INDIRECT, "d", date(2015, 1, 1)),))
    assert "<script>" not in register_html(evil, as_of=date(2016, 1, 1))
