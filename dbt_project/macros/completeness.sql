{#
    The monthly lists every submitter must send for its month to count as complete
    (var required_monthly_lists), as a DuckDB list literal of raw list keys.
#}
{% macro required_monthly_lists() -%}
    [{%- for key in var('required_monthly_lists') -%}
        '{{ key }}'{{ ', ' if not loop.last }}
    {%- endfor -%}]::varchar[]
{%- endmacro %}

{#
    Words that say a project was completed, in a 状态说明 or 备注: 已竣工, 已完工, 完成竣工验收,
    建成投产, 已投入使用 … — not a plan such as 计划年底竣工验收.
#}
{% macro completion_words() -%}
    '已(经)?(竣工|完工|建成|投产|交付|通过(竣工)?验收)|完成竣工验收|竣工验收(已完成|合格)|已?建成投产|已投入(使用|运营)'
{%- endmacro %}

{# 竣工验收, or 投产达效 when the evidence or the last 目标任务 says 投产. #}
{% macro completed_stage(evidence, target_task) -%}
    case
        when coalesce(contains({{ evidence }}, '投产') or contains({{ target_task }}, '投产'), false)
            then '投产达效'
        else '竣工验收'
    end
{%- endmacro %}
