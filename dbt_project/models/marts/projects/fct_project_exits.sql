-- 二(七): the projects that left every list without being started, one row each, in the
-- month they left, with the 状态说明 of their last row; is_unexplained marks the ones
-- whose whereabouts nobody stated (去向不明), which the county report asks about
-- (fct_dq_failures rule project_left_unexplained). See int_project_exits.
with

exits as (

    select * from {{ ref('int_project_exits') }}

),

final as (

    select
        project_key,
        region_code,
        project_name,
        total_investment_wan,
        last_list,
        last_listed_month,
        exit_month,
        status_note,
        is_unexplained,
        source_file,
        sheet_name,
        excel_row
    from exits

)

select * from final
