{#
    Project identity (SPEC §3, issue 3): the national project code when valid, else the
    submitter's region and the project name in one spelling. The Python twins live in
    dagster_project/parse/codes.py (normalise_project_code, is_valid_project_code); the
    code is normalised again here so that a row loaded by an older parser still matches.
#}

{# Full-width digits, Latin letters and the full-width hyphen, and their half-width twins. #}
{% macro _fullwidth_chars() -%}
    '０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ－'
{%- endmacro %}
{% macro _halfwidth_chars() -%}
    '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-'
{%- endmacro %}

{# 项目代码 in one spelling: half-width, no spaces, "-" for any dash, upper case; NULL when empty. #}
{% macro normalise_project_code(column) -%}
    nullif(
        upper(
            regexp_replace(
                regexp_replace(
                    translate({{ column }}, {{ _fullwidth_chars() }}, {{ _halfwidth_chars() }}),
                    '[\s\p{Z}\x{200b}\x{feff}]+', '', 'g'
                ),
                '[\x{2010}-\x{2015}\x{2212}_、-]+', '-', 'g'
            )
        ),
        ''
    )
{%- endmacro %}

{# The national format YYYY-XXXXXX-XX-XX-XXXXXX or YYMM-XXXXXX-XX-XX-XXXXXX (24 characters). #}
{% macro is_valid_project_code(normalised_code) -%}
    coalesce(
        regexp_full_match(
            {{ normalised_code }},
            '(?:20\d{2}|\d{2}(?:0[1-9]|1[0-2]))-\d{6}-\d{2}-\d{2}-\d{6}'
        ),
        false
    )
{%- endmacro %}

{# 项目名称 for matching: half-width, lower case, without spaces, punctuation or symbols. #}
{% macro normalise_project_name(column) -%}
    nullif(
        lower(
            regexp_replace(
                translate({{ column }}, {{ _fullwidth_chars() }}, {{ _halfwidth_chars() }}),
                '[\s\p{Z}\p{P}\p{S}]+', '', 'g'
            )
        ),
        ''
    )
{%- endmacro %}

{#
    What every identity conflict shows of its rows: the names, codes and submitters seen,
    the periods, and the rows themselves. `codes` is the code column the conflict reads.
#}
{% macro conflict_evidence(codes='project_code') -%}
    list(distinct project_name order by project_name) as project_names,
    list(distinct {{ codes }} order by {{ codes }})
    filter (where {{ codes }} is not null) as project_codes,
    list(distinct region_code order by region_code) as region_codes,
    min(coalesce(period_month, period_week)) as first_period,
    max(coalesce(period_month, period_week)) as last_period,
    count(*) as row_count,
    list(source_row_id order by source_row_id) as source_row_ids
{%- endmacro %}
