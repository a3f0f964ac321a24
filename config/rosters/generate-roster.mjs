#!/usr/bin/env node
// Generates un-states.toml: the 193 UN Member States and the 2 observer States,
// each with three placeholder addressees, from the `world-countries` npm package.
//
// Regenerate (from this directory):
//   npm pack world-countries && tar xzf world-countries-*.tgz \
//     && node generate-roster.mjs package/countries.json > un-states.toml
//   rm -rf package world-countries-*.tgz
// UN admission dates, observer periods and former names come from
// un-membership.json next to this script (its sources are in the file).
//
// The data is ODbL 1.0 (world-countries by Mohammed Le Doze): the generated file
// carries the attribution, keep it. The format is docs/config-format.md.
import { readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";

const OBSERVER_STATES = {
  VAT: { name: "Holy See", formal: "Holy See" },
  PSE: { name: "State of Palestine", formal: "State of Palestine" },
};

// UN short names where world-countries' common name differs notably
// (UN Member States list / UNTERM). `inText` is the form used after "of" in
// titles when it is not simply the name (a leading article, or the inverted
// "Bolivia (Plurinational State of)" read in natural order).
const UN_NAMES = {
  BHS: { name: "Bahamas", inText: "the Bahamas" },
  BOL: { name: "Bolivia (Plurinational State of)", inText: "the Plurinational State of Bolivia" },
  BRN: { name: "Brunei Darussalam" },
  CIV: { name: "Côte d'Ivoire" },
  COD: { name: "Democratic Republic of the Congo", inText: "the Democratic Republic of the Congo" },
  COG: { name: "Congo", inText: "the Congo" },
  CPV: { name: "Cabo Verde" },
  CZE: { name: "Czechia" },
  FSM: { name: "Micronesia (Federated States of)", inText: "the Federated States of Micronesia" },
  GBR: {
    name: "United Kingdom of Great Britain and Northern Ireland",
    inText: "the United Kingdom of Great Britain and Northern Ireland",
  },
  GMB: { name: "Gambia", inText: "the Gambia" },
  IRN: { name: "Iran (Islamic Republic of)", inText: "the Islamic Republic of Iran" },
  KOR: { name: "Republic of Korea", inText: "the Republic of Korea" },
  LAO: { name: "Lao People's Democratic Republic", inText: "the Lao People's Democratic Republic" },
  MDA: { name: "Republic of Moldova", inText: "the Republic of Moldova" },
  MKD: { name: "North Macedonia" },
  NLD: { name: "Netherlands (Kingdom of the)", formal: "Kingdom of the Netherlands", inText: "the Kingdom of the Netherlands" },
  PRK: { name: "Democratic People's Republic of Korea", inText: "the Democratic People's Republic of Korea" },
  RUS: { name: "Russian Federation", inText: "the Russian Federation" },
  SWZ: { name: "Eswatini" },
  SYR: { name: "Syrian Arab Republic", inText: "the Syrian Arab Republic" },
  TUR: { name: "Türkiye" },
  TZA: { name: "United Republic of Tanzania", inText: "the United Republic of Tanzania" },
  USA: { name: "United States of America", inText: "the United States of America" },
  VEN: { name: "Venezuela (Bolivarian Republic of)", inText: "the Bolivarian Republic of Venezuela" },
  VNM: { name: "Viet Nam", formal: "Socialist Republic of Viet Nam" },
};

// States whose name world-countries already gives in UN form but which take
// "the" in running text ("Minister for Foreign Affairs of the Philippines").
const TAKES_ARTICLE = new Set([
  "ARE", "CAF", "COM", "DOM", "MDV", "MHL", "NER", "PHL", "SDN", "SLB", "VAT", "PSE",
]);

// ---- Correspondence language --------------------------------------------------
// The default language letters to a State are written in (operators override it
// per State in the roster, or per campaign). Rule, from the data's official
// languages (`languages`):
//   - French when French is an official language and English is not;
//   - Spanish when Spanish is an official language and English is not;
//   - otherwise English (English among the official languages, or none of the
//     three: the Secretariat writes in English unless asked otherwise).
// Exceptions (LANGUAGE_EXCEPTIONS): where French and Spanish are both official, or
// the rule's answer is known not to be the State's language of correspondence.
// Canada and Cameroon (English and French) and Rwanda, Mauritius, Seychelles and
// Vanuatu (English among others) stay English by the rule: an operator who knows
// a mission prefers French sets `language = "fr"` in the roster.
const LANGUAGE_EXCEPTIONS = {
  // French, Spanish and Portuguese are official; the Government and its Mission
  // write in Spanish, the language of its administration.
  GNQ: "es",
};

function languageOf(country) {
  if (country.cca3 in LANGUAGE_EXCEPTIONS) return LANGUAGE_EXCEPTIONS[country.cca3];
  const official = Object.values(country.languages ?? {});
  const english = official.includes("English");
  if (official.includes("French") && !english) return "fr";
  if (official.includes("Spanish") && !english) return "es";
  return "en";
}

// UN short names in French and Spanish (UNTERM, the UN Member States list) where
// the data's translations (`translations.fra` / `.spa`) differ from them.
const UN_NAMES_FR = {
  BOL: "Bolivie (État plurinational de)",
  BRN: "Brunéi Darussalam",
  COD: "République démocratique du Congo",
  COG: "Congo",
  CPV: "Cabo Verde",
  CZE: "Tchéquie",
  FSM: "Micronésie (États fédérés de)",
  GBR: "Royaume-Uni de Grande-Bretagne et d'Irlande du Nord",
  IRN: "Iran (République islamique d')",
  KOR: "République de Corée",
  LAO: "République démocratique populaire lao",
  MDA: "République de Moldova",
  MKD: "Macédoine du Nord",
  NLD: "Pays-Bas (Royaume des)",
  PRK: "République populaire démocratique de Corée",
  PSE: "État de Palestine",
  RUS: "Fédération de Russie",
  SWZ: "Eswatini",
  SYR: "République arabe syrienne",
  TUR: "Türkiye",
  TZA: "République-Unie de Tanzanie",
  USA: "États-Unis d'Amérique",
  VAT: "Saint-Siège",
  VEN: "Venezuela (République bolivarienne du)",
  VNM: "Viet Nam",
};
const UN_NAMES_ES = {
  BOL: "Bolivia (Estado Plurinacional de)",
  BRN: "Brunei Darussalam",
  CIV: "Côte d'Ivoire",
  COD: "República Democrática del Congo",
  COG: "Congo",
  CPV: "Cabo Verde",
  CZE: "Chequia",
  FSM: "Micronesia (Estados Federados de)",
  GBR: "Reino Unido de Gran Bretaña e Irlanda del Norte",
  IRN: "Irán (República Islámica del)",
  KOR: "República de Corea",
  LAO: "República Democrática Popular Lao",
  MDA: "República de Moldova",
  MKD: "Macedonia del Norte",
  MLI: "Malí",
  NLD: "Países Bajos (Reino de los)",
  PRK: "República Popular Democrática de Corea",
  PSE: "Estado de Palestina",
  RUS: "Federación de Rusia",
  SWZ: "Eswatini",
  SYR: "República Árabe Siria",
  TUR: "Türkiye",
  TZA: "República Unida de Tanzanía",
  USA: "Estados Unidos de América",
  VAT: "Santa Sede",
  VEN: "Venezuela (República Bolivariana de)",
  VNM: "Viet Nam",
};

function localizedNamesOf(country) {
  const code = country.cca3;
  return {
    fr: UN_NAMES_FR[code] ?? country.translations?.fra?.common ?? "",
    es: UN_NAMES_ES[code] ?? country.translations?.spa?.common ?? "",
  };
}

function fail(message) {
  process.stderr.write(`generate-roster: ${message}\n`);
  process.exit(1);
}

function tomlString(value) {
  // TOML basic string; the names need only these escapes (UTF-8 is written as is).
  return `"${String(value).replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function packageVersion(countriesPath) {
  const manifest = join(dirname(countriesPath), "package.json");
  if (!existsSync(manifest)) return "unknown version";
  return JSON.parse(readFileSync(manifest, "utf8")).version;
}

function stateOf(country) {
  const code = country.cca3;
  const observer = OBSERVER_STATES[code];
  const override = observer ?? UN_NAMES[code] ?? {};
  const name = override.name ?? country.name.common;
  let inText = override.inText ?? name;
  if (!override.inText && TAKES_ARTICLE.has(code)) inText = `the ${name}`;
  return {
    code,
    name,
    formalName: override.formal ?? country.name.official,
    status: observer ? "observer" : "member",
    group: observer ? "" : country.unRegionalGroup,
    capital: (country.capital ?? [])[0] ?? "",
    inText,
    language: languageOf(country),
    names: localizedNamesOf(country),
  };
}

// ---- membership and name history (un-membership.json) ---------------------
// Adds to each State its admission date (`admitted`), observer periods and
// former names, and its `inText` form when titles need it to be found again.
// Every Member must have an admission date; every entry must be a State here.
function mergeMembership(states, membershipPath) {
  const data = JSON.parse(readFileSync(membershipPath, "utf8")).states;
  const byCode = new Map(states.map((s) => [s.code, s]));
  for (const code of Object.keys(data))
    if (!byCode.has(code)) fail(`${membershipPath}: ${code} is not a State of the roster`);
  for (const state of states) {
    const entry = data[state.code] ?? {};
    if (state.status === "member" && !entry.admitted) fail(`${membershipPath}: no admission date for ${state.code}`);
    if (state.status === "observer" && !entry.observer) fail(`${membershipPath}: no observer period for ${state.code}`);
    state.history = {
      admitted: entry.admitted,
      observer: entry.observer ?? [],
      formerNames: entry.former_names ?? [],
    };
  }
}

function historyKeys(state) {
  const lines = [];
  if (state.history.admitted) lines.push(`admitted    = ${tomlString(state.history.admitted)}`);
  // Titles are rewritten for former names by finding this form in them.
  if (state.history.formerNames.length && state.inText !== state.name)
    lines.push(`in_text     = ${tomlString(state.inText)}`);
  return lines;
}

function historyTables(state) {
  const lines = [];
  for (const period of state.history.observer) {
    lines.push("", "[[state.observer]]", `since = ${tomlString(period.since)}`);
    if (period.until) lines.push(`until = ${tomlString(period.until)}`);
    lines.push(`kind  = ${tomlString(period.kind)}`);
  }
  for (const former of state.history.formerNames) {
    lines.push("", "[[state.former_name]]", `until       = ${tomlString(former.until)}`, `name        = ${tomlString(former.name)}`);
    if (former.formal_name) lines.push(`formal_name = ${tomlString(former.formal_name)}`);
    if (former.in_text) lines.push(`in_text     = ${tomlString(former.in_text)}`);
    if (former.note) lines.push(`note        = ${tomlString(former.note)}`);
  }
  return lines;
}

function addresseesOf(state) {
  const slug = state.code.toLowerCase();
  const mission =
    state.status === "observer"
      ? `Permanent Observer of ${state.inText} to the United Nations`
      : `Permanent Representative of ${state.inText} to the United Nations`;
  return [
    { role: "head_of_state", title: `Head of State or Government of ${state.inText}`, email: `head-of-state.${slug}@example.org` },
    { role: "foreign_minister", title: `Minister for Foreign Affairs of ${state.inText}`, email: `foreign-minister.${slug}@example.org` },
    { role: "permanent_representative", title: mission, email: `mission.${slug}@example.org` },
  ];
}

function render(states, version) {
  const lines = [
    "# The parties a campaign can write to: the 193 Member States of the United Nations",
    "# and the 2 non-member observer States (Holy See, State of Palestine).",
    "#",
    `# Generated by generate-roster.mjs from the world-countries npm package, version ${version}`,
    "# (https://github.com/mledoze/countries), by Mohammed Le Doze. That data is made",
    "# available under the Open Database License (ODbL) 1.0:",
    "# https://opendatacommons.org/licenses/odbl/1-0/ . This file is a derived database",
    "# and is likewise available under the ODbL 1.0. Names follow UN short names where",
    "# they differ from the package's common names. Admission dates, observer periods",
    "# and former names come from un-membership.json (sources named there): a campaign",
    "# writes to a State only from its admission (or observer status), under the name",
    "# it had on the letter's date.",
    "#",
    "# The e-mail addresses are PLACEHOLDERS on example.org: operators replace them (and",
    "# fill in `name`, and `honorific` once known) before any real campaign runs.",
    "# `language` is the language letters to the State are written in (en, fr, es),",
    "# derived from its official languages (generate-roster.mjs, languageOf); `name_fr`",
    "# and `name_es` are its short names in French and Spanish letters. Operators",
    "# correct either here; docs/translations.md says who reviews them.",
    "# Format: docs/config-format.md.",
  ];
  for (const state of states) {
    lines.push(
      "",
      "[[state]]",
      `code        = ${tomlString(state.code)}`,
      `name        = ${tomlString(state.name)}`,
      `formal_name = ${tomlString(state.formalName)}`,
      `status      = ${tomlString(state.status)}`,
      `group       = ${tomlString(state.group)}`,
      `capital     = ${tomlString(state.capital)}`,
      `language    = ${tomlString(state.language)}`,
      `name_fr     = ${tomlString(state.names.fr)}`,
      `name_es     = ${tomlString(state.names.es)}`,
      ...historyKeys(state),
    );
    for (const addressee of addresseesOf(state)) {
      lines.push(
        "",
        "[[state.addressee]]",
        `role      = ${tomlString(addressee.role)}`,
        `title     = ${tomlString(addressee.title)}`,
        `honorific = "Excellency"`,
        `name      = ""`,
        `email     = ${tomlString(addressee.email)}`,
      );
    }
    lines.push(...historyTables(state));
  }
  return lines.join("\n") + "\n";
}

const countriesPath = process.argv[2];
if (!countriesPath) fail("usage: node generate-roster.mjs path/to/countries.json > un-states.toml");
if (!existsSync(countriesPath)) fail(`${countriesPath}: no such file`);

const countries = JSON.parse(readFileSync(countriesPath, "utf8"));
const states = countries
  .filter((c) => c.unRegionalGroup || c.cca3 in OBSERVER_STATES)
  .map(stateOf)
  .sort((a, b) => a.code.localeCompare(b.code));

// The counts are facts about the UN; a data release that breaks them needs a look.
const members = states.filter((s) => s.status === "member").length;
const observers = states.length - members;
if (members !== 193 || observers !== 2)
  fail(`expected 193 members and 2 observers, the data gives ${members} and ${observers}`);
for (const code of [...Object.keys(UN_NAMES), ...Object.keys(UN_NAMES_FR), ...Object.keys(UN_NAMES_ES),
                    ...Object.keys(LANGUAGE_EXCEPTIONS)])
  if (!states.some((s) => s.code === code)) fail(`override for ${code}, which is not a UN State in the data`);

mergeMembership(states, join(dirname(new URL(import.meta.url).pathname), "un-membership.json"));
process.stdout.write(render(states, packageVersion(countriesPath)));
