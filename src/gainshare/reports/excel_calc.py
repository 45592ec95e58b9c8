"""The Calculation sheet: the settlement recomputed with Excel formulas from the Inputs sheet.

Rounding works on pence snapped to a millionth of a penny, ROUND(x*100,6), so that a half penny computed in
binary floating point (2.4999999999) is still a half; then the agreement's mode applies: half-up is Excel's ROUND
(halves away from zero), down is ROUNDDOWN, up is ROUNDUP, and half-even rounds a half to the even penny with
2*ROUND(p/2,0). Limits (thresholds, caps) are the lesser of the amounts given; a cap is rounded down to the penny.
Splits between the parties of one side use the largest remainder, in formulas, with a check against the engine.
"""

from __future__ import annotations

from typing import Any

from gainshare.domain.money import Money
from gainshare.domain.parties import PartyRole
from gainshare.domain.terms import ComplementRate
from gainshare.reports.context import StatementContext
from gainshare.reports.excel import NOT_GIVEN, Sheet, cell, pounds, span
from gainshare.reports.excel_inputs import InputRefs, LimitRefs, PartyRefs, ThresholdRefs


class CalcSheet:
    def __init__(self, sheet: Sheet, context: StatementContext, inputs: InputRefs) -> None:
        self.s = sheet
        self.ctx = context
        self.i = inputs
        self.refs: dict[str, str] = {}  # named results (net_saving, share:FED, step:gain.share, ...) -> cell

    # -- writing ------------------------------------------------------------------------------------------------
    def put(self, label: str, clause: str, formula: str, style: Any, how: str = "", cached: Any = None) -> str:
        row, s = self.s.row, self.s
        s.ws.write_string(row, 0, label, s.f.wrap)
        s.ws.write_string(row, 1, clause, s.f.clause)
        s.ws.write_formula(row, 2, formula, style, cached if cached is not None else 0)
        if how:
            s.ws.write_string(row, 3, how, s.f.clause)
        s.row += 1
        return s.ref(row, 2)

    def rounded(self, exact: str) -> str:
        """The agreement's rounding mode applied to an exact amount of pounds, to the penny."""
        mode = self.i.rounding
        p = f"ROUND(({exact})*100,6)"
        return (
            f'IF({mode}="half-even",IF(ABS({p}-TRUNC({p}))=0.5,2*ROUND({p}/2,0),ROUND({p},0)),'
            f'IF({mode}="down",ROUNDDOWN({p},0),IF({mode}="up",ROUNDUP({p},0),ROUND({p},0))))/100'
        )

    # -- the sheet ----------------------------------------------------------------------------------------------
    def write(self) -> dict[str, str]:
        a = self.ctx.agreement
        self.s.title(f"Calculation: {a.title}, {self.ctx.period.id}")
        self.s.note(
            "Each line is a formula on the Inputs sheet and the lines above it; column B names the clause. Exact "
            "amounts are unrounded; an amount is rounded once, with the agreement's rounding mode, where a "
            "line says so."
        )
        rows = self._figure_rows()
        self._schemes(rows)
        net, baseline = self.refs["net_saving"], self.refs["baseline"]
        gain = self._gains(net, baseline)
        loss = self._losses(net, baseline)
        self._sides(net, gain, loss)
        self._splits()
        self._true_ups()
        self._ledger()
        return self.refs

    def _figure_rows(self) -> list[tuple[str, str, str, str]]:
        i, s = self.i, self.s
        s.heading("Costs of each figures row (exact)")
        s.headers(
            "Scheme",
            "Activity factor (1 + list growth) ^ year",
            "Price factor (1 + uplift - efficiency) ^ year",
            "Hospital price, uplifted",
            "Provision price",
            "Baseline cost",
            "Actual hospital cost",
            "Provision cost",
        )
        out = []
        for fr in i.rows:
            row = s.row
            formulas = (
                f"={fr.scheme}",
                f"=(1+{i.list_growth})^{fr.year}",
                f"=(1+{i.price_uplift}-{i.efficiency})^{fr.year}",
                f"={_lookup(fr.scheme, i.scheme_ids, i.hospital_prices)}*{cell(row, 2)}",
                f"={_lookup(fr.scheme, i.scheme_ids, i.provision_prices)}",
                f"=IF(ISNUMBER({fr.baseline_cost}),{fr.baseline_cost},{fr.baseline_activity}*{cell(row, 1)}*"
                f"{cell(row, 3)})",
                f"=IF(ISNUMBER({fr.actual_cost}),{fr.actual_cost},{fr.actual_activity}*{cell(row, 3)})",
                f"=IF(ISNUMBER({fr.provision_cost}),{fr.provision_cost},{fr.provision_activity}*{cell(row, 4)})",
            )
            styles = (s.f.text, s.f.factor, s.f.factor, s.f.exact, s.f.money, s.f.exact, s.f.exact, s.f.exact)
            for col, (formula, style) in enumerate(zip(formulas, styles, strict=True)):
                s.ws.write_formula(row, col, formula, style)
            s.row += 1
            out.append((s.ref(row, 0), s.ref(row, 5), s.ref(row, 6), s.ref(row, 7)))
        return out

    def _schemes(self, rows: list[tuple[str, str, str, str]]) -> None:
        s = self.s
        s.heading("Costs and net saving by scheme: exact sums over the rows, each rounded once")
        s.headers(
            "Scheme",
            "Clause",
            "Baseline (exact)",
            "Baseline",
            "Actual hospital (exact)",
            "Actual hospital",
            "Provision (exact)",
            "Provision",
            "Set-up funding",
            "Net saving",
        )
        first = s.row
        for scheme in self.ctx.schemes:
            row = s.row
            clause = self.ctx.agreement.scheme(scheme.id).clause
            s.ws.write_string(row, 0, f"{scheme.name} ({scheme.id})", s.f.wrap)
            s.ws.write_string(row, 1, clause, s.f.clause)
            key = self.i.scheme_cells[scheme.id]
            for col, (index, amount) in enumerate(
                ((1, scheme.baseline), (2, scheme.actual), (3, scheme.provision)), start=0
            ):
                exact_col, rounded_col = 2 + 2 * col, 3 + 2 * col
                s.ws.write_formula(row, exact_col, "=" + _sum_if([(r[0], r[index]) for r in rows], key), s.f.exact)
                s.ws.write_formula(
                    row, rounded_col, "=" + self.rounded(cell(row, exact_col)), s.f.money, pounds(amount)
                )
            s.ws.write_formula(row, 8, f"=N({self.i.setup[scheme.id]})", s.f.money, pounds(scheme.setup))
            s.ws.write_formula(
                row,
                9,
                f"=ROUND({cell(row, 3)}-{cell(row, 5)}-{cell(row, 7)}-{cell(row, 8)},2)",
                s.f.money,
                pounds(scheme.net_saving),
            )
            for col, code in (
                (3, "cost.baseline"),
                (5, "cost.actual"),
                (7, "cost.provision"),
                (8, "cost.setup"),
                (9, "saving.scheme"),
            ):
                self.refs[f"scheme:{scheme.id}:{code}"] = s.ref(row, col)
            s.row += 1
        last, row = s.row - 1, s.row
        s.ws.write_string(row, 0, "Total", s.f.header)
        for col in (3, 5, 7, 8, 9):
            s.ws.write_formula(row, col, f"=ROUND(SUM({cell(first, col)}:{cell(last, col)}),2)", s.f.money_bold)
        s.row += 1
        self.refs["baseline"] = s.ref(row, 3)
        self.refs["net_saving"] = s.ref(row, 9)
        self.refs["line:saving.total"] = s.ref(row, 9)

    # -- gains --------------------------------------------------------------------------------------------------
    def _gains(self, net: str, baseline: str) -> str:
        i, f = self.i, self.s.f
        gains = self.ctx.agreement.sharing.gains
        quality = self.ctx.agreement.sharing.quality
        self.s.heading("Gains: the sharing rules when the net saving is zero or more")
        saving = self.put(
            "Saving the gain rules apply to (zero if there is a loss)",
            gains.clause,
            f"=MAX({net},0)",
            f.money,
            "MAX(net saving, 0)",
        )
        conditions = []
        if quality is not None:
            conditions.append(
                self.put(
                    "Quality gate passed? (score at or above the minimum; a multiplier-only rule has no gate)",
                    quality.clause,
                    f'=IF({i.quality_mode}="multiplier",TRUE,{i.quality_score}>={i.quality_minimum})',
                    f.check,
                )
            )
        start = "0"
        if i.gain_threshold is not None:
            met, start = self._threshold("saving", saving, i.gain_threshold, baseline)
            conditions.append(met)
        gross = self._schedule(saving, start, baseline)
        if quality is not None:
            gross = self.put(
                "After the quality multiplier (unscaled at or above the full-share score, or for a gate only)",
                quality.clause,
                f'=IF({i.quality_mode}="gate",{gross},IF(AND(ISNUMBER({i.quality_full_from}),'
                f"{i.quality_score}>={i.quality_full_from}),{gross},{gross}*{i.quality_score}))",
                f.exact,
                "share x quality score",
            )
            self.refs["step:quality.multiplier"] = self.refs["step:quality.full_share"] = gross
        if i.gain_cap is not None:
            cap = self._cap("Cap on the provider side's gain, rounded down to the penny", i.gain_cap, baseline)
            self.refs["step:gain.capped"] = cap
            gross = f"MIN({gross},{cap})"
        condition = f"AND({','.join(conditions)})" if conditions else "TRUE"
        return self.put(
            "Provider side's gain (exact): zero unless every condition above holds",
            gains.clause,
            f"=IF({condition},{gross},0)",
            f.exact,
        )

    def _threshold(self, what: str, amount: str, refs: ThresholdRefs, baseline: str) -> tuple[str, str]:
        f, clause = self.s.f, refs.limit.clause
        value = self.put(
            f"Threshold on the {what} (the lesser of the limits given)",
            clause,
            "=" + self._limit(refs.limit, baseline),
            f.exact,
        )
        self.refs[f"step:{what}.threshold_met"] = self.refs[f"step:{what}.threshold_not_met"] = value
        met = self.put(
            f"Threshold met? (the {what} at or above it, compared in pence)",
            clause,
            f"=ROUND({amount}*100,6)>=ROUND({value}*100,6)",
            f.check,
        )
        start = self.put(
            "Sharing starts at: the threshold if excess-only, else the first pound",
            clause,
            f'=IF({refs.sharing}="excess-only",{value},0)',
            f.exact,
        )
        return met, start

    def _limit(self, refs: LimitRefs, baseline: str) -> str:
        i = self.i
        parts = [
            f"IF(ISNUMBER({refs.amount}),{refs.amount},{NOT_GIVEN})",
            f"IF(ISNUMBER({refs.percent_of_baseline}),{refs.percent_of_baseline}*{baseline},{NOT_GIVEN})",
            f"IF(ISNUMBER({refs.percent_of_revenue}),{refs.percent_of_revenue}*{i.revenue},{NOT_GIVEN})",
        ]
        if refs.population_rows:
            parts.append(f"{self._population_rate(refs)}*{baseline}")
        return f"MIN({','.join(parts)})"

    def _population_rate(self, refs: LimitRefs) -> str:
        """The rate of the first row holding the population, interpolated linearly within the row."""
        pop = self.i.population
        formula = "NA()"
        for low, high, rate_low, rate_high in reversed(refs.population_rows):
            inside = f'AND({pop}>={low},OR({high}="",{pop}<={high}))'
            rate = (
                f'IF(OR({high}="",{high}={low},{rate_low}={rate_high}),{rate_low},'
                f"{rate_low}+({rate_high}-{rate_low})*({pop}-{low})/({high}-{low}))"
            )
            formula = f"IF({inside},{rate},{formula})"
        return formula

    def _cap(self, label: str, refs: LimitRefs, baseline: str) -> str:
        return self.put(label, refs.clause, f"=INT(ROUND(({self._limit(refs, baseline)})*100,6))/100", self.s.f.money)

    def _schedule(self, saving: str, start: str, baseline: str) -> str:
        i, f = self.i, self.s.f
        schedule = self.ctx.agreement.sharing.gains.share
        if schedule.flat is not None:
            gross = self.put(
                "Provider side's share: the rate of the saving above the start",
                schedule.clause,
                f"=({saving}-{start})*{i.gain_rate}",
                f.exact,
                "(saving - start) x rate",
            )
            self.refs["step:gain.share"] = gross
            return gross
        scale = self.put(
            "Band edges are multiples of: the baseline (percent-of-baseline) or £1 (amount)",
            schedule.clause,
            f'=IF({i.band_basis}="percent-of-baseline",{baseline},1)',
            f.money,
        )
        parts = []
        for index, band in enumerate(i.bands, start=1):
            clause = f"{schedule.clause}[{index}]"
            lower = self.put(
                f"Band {index}: lower edge in pounds (not below the start)",
                clause,
                f"=MAX({band.lower}*{scale},{start})",
                f.exact,
            )
            upper = self.put(
                f"Band {index}: upper edge in pounds (not above the saving)",
                clause,
                f'=IF({band.upper}="",{saving},MIN({band.upper}*{scale},{saving}))',
                f.exact,
            )
            part = self.put(
                f"Band {index}: its share of the saving between the edges",
                clause,
                f"=MAX({upper}-{lower},0)*{band.share}",
                f.exact,
                "(upper - lower) x band share",
            )
            self.refs[f"step:gain.band{index}"] = part
            parts.append(part)
        return self.put("Provider side's share: the sum of the bands", schedule.clause, f"={'+'.join(parts)}", f.exact)

    # -- losses -------------------------------------------------------------------------------------------------
    def _losses(self, net: str, baseline: str) -> str:
        i, f = self.i, self.s.f
        losses = self.ctx.agreement.sharing.losses
        self.s.heading("Losses: the sharing rules when the net saving is negative")
        if losses is None:
            self.s.note("One-sided agreement: the commissioner bears any loss in full (no losses clause).")
            return "0"
        loss = self.put(
            "Loss the loss rules apply to (zero if there is a saving)",
            losses.clause,
            f"=MAX(-{net},0)",
            f.money,
            "MAX(-net saving, 0)",
        )
        met, start = "TRUE", "0"
        if i.loss_threshold is not None:
            met, start = self._threshold("loss", loss, i.loss_threshold, baseline)
        rate = i.loss_rate if not isinstance(losses.provider_share, ComplementRate) else self._complement_rate()
        gross = self.put(
            "Provider side's share of the loss above the start",
            losses.clause,
            f"=({loss}-{start})*{rate}",
            f.exact,
            "(loss - start) x loss rate",
        )
        self.refs["step:loss.share"] = gross
        if i.loss_cap is not None:
            cap = self._cap("Cap on the provider side's loss, rounded down to the penny", i.loss_cap, baseline)
            self.refs["step:loss.capped"] = cap
            gross = f"MIN({gross},{cap})"
        return self.put(
            "Provider side's loss (exact): zero unless the threshold is met",
            losses.clause,
            f"=IF({met},{gross},0)",
            f.exact,
        )

    def _complement_rate(self) -> str:
        i = self.i
        clause = self.ctx.agreement.sharing.losses.clause if self.ctx.agreement.sharing.losses else "sharing.losses"
        score = i.quality_score if self.ctx.agreement.sharing.quality is not None else "1"
        formula = f"MIN(MAX(1-{i.gain_rate}*{score},{i.loss_floor}),{i.loss_ceiling})"
        if self.ctx.agreement.sharing.quality is not None:
            below = i.loss_below_minimum
            formula = f"IF(AND(ISNUMBER({below}),{score}<{i.quality_minimum}),{below},{formula})"
        return self.put(
            "Loss rate: 1 - gain share x quality score, kept between the floor and the ceiling",
            clause,
            f"={formula}",
            self.s.f.rate,
        )

    # -- shares -------------------------------------------------------------------------------------------------
    def _sides(self, net: str, gain: str, loss: str) -> None:
        f, ctx = self.s.f, self.ctx
        self.s.heading("The two sides")
        exact = self.put(
            "Provider side's share, exact (negative: it bears a loss)",
            "sharing",
            f"=IF({net}>=0,{gain},-{loss})",
            f.exact,
        )
        self.refs["provider_exact"] = exact
        self.refs["provider_side"] = self.put(
            "Provider side's share, rounded once to the penny with the agreement's rounding mode",
            "sharing.rounding",
            "=" + self.rounded(exact),
            f.money_bold,
            "see the note at the top of this sheet",
            pounds(ctx.provider_side.amount),
        )
        self.refs["commissioner_side"] = self.put(
            "Commissioner side: the net saving less the provider side (exact, no rounding)",
            "sharing",
            f"=ROUND({net}-{self.refs['provider_side']},2)",
            f.money_bold,
            "",
            pounds(ctx.commissioner_total),
        )

    def _splits(self) -> None:
        engine = {row.party.id: row.amount for row in self.ctx.shares}
        for role, total_key in ((PartyRole.PROVIDER, "provider_side"), (PartyRole.COMMISSIONER, "commissioner_side")):
            parties = [p for p in self.i.parties if p.role is role]
            if parties:
                self._split(role, parties, self.refs[total_key], engine)

    def _split(self, role: PartyRole, parties: list[PartyRefs], total: str, engine: dict[str, Money]) -> None:
        s = self.s
        s.heading(f"Split of the {role.value} side between its parties (largest remainder on pence)")
        s.headers(
            "Party",
            "Clause",
            "Share",
            "Weight",
            "Quota in pence (exact)",
            "Whole pence",
            "Remainder",
            "Rank of remainder (ties: listed first)",
            "Extra penny",
            "Engine's figure",
            "Matches?",
        )
        first = s.row
        last = first + len(parties) - 1
        leftover = cell(last + 1, 2, s.name)
        pence = f"ROUND({total}*100,0)"
        for offset, party in enumerate(parties):
            row = first + offset
            rem = cell(row, 6)
            rank = f'=COUNTIF({cell(first, 6)}:{cell(last, 6)},">"&{rem})' if last > first else "=0"
            if offset > 1:
                rank += f"+COUNTIF({cell(first, 6)}:{cell(row - 1, 6)},{rem})"
            elif offset:
                rank += f"+IF({cell(first, 6)}={rem},1,0)"
            cells: tuple[tuple[str, Any], ...] = (
                (f"=SIGN({pence})*({cell(row, 5)}+{cell(row, 8)})/100", s.f.money),
                (f"={party.weight}", s.f.count),
                (f"=ROUND(ABS({pence})*{cell(row, 3)}/SUM({cell(first, 3)}:{cell(last, 3)}),6)", s.f.count),
                (f"=TRUNC({cell(row, 4)})", s.f.count),
                (f"=ROUND({cell(row, 4)}-{cell(row, 5)},9)", s.f.count),
                (rank, s.f.count),
                (f"=IF({cell(row, 7)}<{leftover},1,0)", s.f.count),
            )
            s.ws.write_string(row, 0, f"{party.name} ({party.party_id})", s.f.wrap)
            s.ws.write_string(row, 1, party.clause, s.f.clause)
            amount = engine.get(party.party_id, Money(0))
            for col, (formula, style) in enumerate(cells, start=2):
                s.ws.write_formula(row, col, formula, style, pounds(amount) if col == 2 else 0)
            s.ws.write_number(row, 9, pounds(amount), s.f.money)
            s.ws.write_formula(row, 10, f"=ROUND({cell(row, 2)}-{cell(row, 9)},2)=0", s.f.check)
            self.refs[f"share:{party.party_id}"] = s.ref(row, 2)
            self.refs[f"share_check:{party.party_id}"] = s.ref(row, 10)
        s.row = last + 1
        self.put(
            "Pennies left over after the whole pence, given by rank",
            "sharing.rounding",
            f"=ABS({pence})-SUM({cell(first, 5)}:{cell(last, 5)})",
            s.f.count,
        )
        self.refs[f"split_check:{role.value}"] = self.put(
            "Check: the parts add up to the side's total",
            "sharing.rounding",
            f"=ROUND(SUM({cell(first, 2)}:{cell(last, 2)})-{total},2)=0",
            s.f.check,
        )

    def _true_ups(self) -> None:
        if not self.i.paid:
            return
        clause = self.ctx.account_lines[0].clause if self.ctx.account_lines else "payments_on_account"
        self.s.heading("Payments on account and true-up")
        due = dict(self.ctx.settlement.true_ups)
        for party_id, paid in self.i.paid.items():
            share = self.refs.get(f"share:{party_id}", "0")
            self.refs[f"true_up:{party_id}"] = self.put(
                f"True-up for {party_id}: its share less what was paid on account (negative: repaid)",
                clause,
                f"=ROUND({share}-{paid},2)",
                self.s.f.money_bold,
                "",
                pounds(due.get(party_id, Money(0))),
            )

    def _ledger(self) -> None:
        s = self.s
        for index, tx in enumerate(self.ctx.ledger):
            s.heading(f"Ledger postings: {tx.description} ({tx.key})")
            s.headers("Account", "Clause", "Amount (debit +, credit -)", "Debit", "Credit")
            first = s.row
            for posting in tx.postings:
                row = s.row
                party = posting.account.split(":")[0]
                source = (
                    f"-{self.refs['net_saving']}"
                    if posting.account.endswith(":net-saving")
                    else self.refs.get(f"share:{party}", "0")
                )
                amount = posting.debit if posting.debit is not None else -(posting.credit or Money(0))
                s.ws.write_string(row, 0, posting.account, s.f.text)
                s.ws.write_string(row, 1, "ledger", s.f.clause)
                s.ws.write_formula(row, 2, f"={source}", s.f.money, pounds(amount))
                s.ws.write_formula(row, 3, f"=MAX({cell(row, 2)},0)", s.f.money, pounds(posting.debit or Money(0)))
                s.ws.write_formula(row, 4, f"=MAX(-{cell(row, 2)},0)", s.f.money, pounds(posting.credit or Money(0)))
                self.refs[f"posting:{index}:{posting.account}"] = s.ref(row, 2)
                s.row += 1
            self.refs[f"ledger_check:{index}"] = self.put(
                "Check: the postings balance (debits equal credits)",
                "ledger",
                f"=ROUND(SUM({cell(first, 2)}:{cell(s.row - 1, 2)}),2)=0",
                s.f.check,
            )


def _lookup(key: str, keys: str, values: str) -> str:
    """INDEX/MATCH on an exact key; with a one-row table, a plain comparison (some engines collapse A1:A1)."""
    first_key, last_key = keys.split(":")
    if first_key.split("!")[-1] == last_key:
        return f"IF({key}={first_key},{values.split(':', maxsplit=1)[0]},NA())"
    return f"INDEX({values},MATCH({key},{keys},0))"


def _sum_if(rows: list[tuple[str, str]], key: str) -> str:
    """The sum of the amounts whose row names the key: SUMIF, or a plain IF for a single row."""
    if not rows:
        return "0"
    if len(rows) == 1:
        return f"IF({rows[0][0]}={key},{rows[0][1]},0)"
    return f"SUMIF({span(rows[0][0], rows[-1][0])},{key},{span(rows[0][1], rows[-1][1])})"
