"""Double-entry postings for a settlement: each party's share moves between it and the commissioner side."""

from __future__ import annotations

from gainshare.domain.agreement import Agreement
from gainshare.domain.ledger import Posting, Transaction
from gainshare.domain.money import Money
from gainshare.domain.parties import PartyRole
from gainshare.domain.settlement import Settlement


def settlement_transactions(agreement: Agreement, settlement: Settlement) -> list[Transaction]:
    """One balanced transaction per settlement: the saving recognised, then shared out.

    The commissioner side books the net saving as a gain (credit), and each party's share as a payable or
    receivable; the postings always sum to zero because the shares add up to the net saving.
    """
    key = f"{settlement.agreement_id}/v{settlement.agreement_version}/{settlement.period}/settlement"
    postings = [Posting(f"{_commissioner(agreement)}:net-saving", -settlement.net_saving)]
    for party_id, amount in settlement.shares:
        role = agreement.party(party_id).role
        account = "gain-share-due" if role is PartyRole.PROVIDER else "retained-saving"
        postings.append(Posting(f"{party_id}:{account}", amount))
    postings = [posting for posting in postings if posting.amount != Money(0)]
    if not postings:
        return []
    return [Transaction(key, f"Gain share settlement {settlement.period}", tuple(postings))]


def _commissioner(agreement: Agreement) -> str:
    return agreement.parties_with_role(PartyRole.COMMISSIONER)[0].id
