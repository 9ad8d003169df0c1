with

source as (

    select * from {{ source('raw', 'department_leaders') }}

),

renamed as (

    select
        trim(department) as department,
        trim(leader) as leader,
        nullif(trim(email), '') as email

    from source

)

select * from renamed
