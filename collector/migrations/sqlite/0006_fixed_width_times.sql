-- Times were written as RFC 3339 with as few fraction digits as needed
-- ("…:05Z", "…:05.5Z"), which do not sort as text in time order, and
-- responses are listed and filtered by their time as text. From now on
-- every time is written with nine fraction digits; this pads the ones
-- already stored the same way.

UPDATE responses SET received_at = CASE
    WHEN length(received_at) = 20 THEN substr(received_at, 1, 19) || '.000000000Z'
    ELSE substr(received_at, 1, length(received_at) - 1)
         || substr('000000000', 1, 30 - length(received_at)) || 'Z'
END
WHERE length(received_at) < 30 AND received_at LIKE '%Z';

UPDATE faq_votes SET voted_at = CASE
    WHEN length(voted_at) = 20 THEN substr(voted_at, 1, 19) || '.000000000Z'
    ELSE substr(voted_at, 1, length(voted_at) - 1)
         || substr('000000000', 1, 30 - length(voted_at)) || 'Z'
END
WHERE length(voted_at) < 30 AND voted_at LIKE '%Z';
