"""Eval sets load unchanged, topical and conversation rows alike; a bad row is one ValueError line naming
file:line."""
from __future__ import annotations

import json

import pytest

from kbqa.evaluation.dataset import load
from kbqa.settings import REPO_ROOT

from kbqa.evaluation.dataset import is_conversation_row, is_topical_row

SHARED = REPO_ROOT.parent / "shared" / "eval" / "faq_dev.jsonl"
SHARED_CONV = REPO_ROOT.parent / "shared" / "eval" / "conv_dev.jsonl"
GOOD = {"id": "x-1", "question": "容器怎么登录？", "topic": 1, "experts": ["gavin_zhang"],
        "must_mention": ["docker exec|exec"], "lang": "zh-Hans", "kind": "fact"}
CONV = {"id": "c-1", "question": "第三个呢", "kind": "follow-up", "expect": "answer", "history": ["第二个问题是什么"],
        "topics": [3], "cite_topics_all": [3], "cite_topics_min": {"of": [3, 4], "n": 1}, "experts_any": ["nameless"],
        "experts_all": ["nameless"], "must_mention": ["安全域"], "must_not": ["抱歉"], "min_titles": 1,
        "min_titles_of": {"of": [3], "n": 1}, "min_experts_named": 1,
        "min_experts_named_of": {"of": ["nameless", "某银行"], "n": 2}, "reply_script": "Hant",
        "expect_kind": "question"}


def _raw(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


EVAL = REPO_ROOT / "eval"


@pytest.mark.parametrize("path", [SHARED, SHARED_CONV, EVAL / "dev.jsonl", EVAL / "dev_oldtest.jsonl",
                                  EVAL / "dev_conv.jsonl", EVAL / "dev_conv3.jsonl", EVAL / "dev_conv4.jsonl", EVAL / "dev_conv5.jsonl",
                                  EVAL / "dev_conv6.jsonl", EVAL / "dev_conv7.jsonl", EVAL / "dev_conv8.jsonl", EVAL / "dev_conv9.jsonl", EVAL / "dev_conv10.jsonl", EVAL / "dev_conv11.jsonl", EVAL / "dev_conv12.jsonl", EVAL / "dev_conv13.jsonl", EVAL / "dev_conv14.jsonl", EVAL / "dev_conv15.jsonl", EVAL / "dev_conv16.jsonl", EVAL / "dev_conv17.jsonl", EVAL / "dev_conv18.jsonl", EVAL / "dev_near18.jsonl", EVAL / "dev_conv19.jsonl", EVAL / "dev_conv20.jsonl", EVAL / "dev_conv21.jsonl", EVAL / "dev_conv22.jsonl", EVAL / "dev_conv23.jsonl", EVAL / "dev_conv24.jsonl", EVAL / "dev_conv25.jsonl", EVAL / "dev_conv26.jsonl", EVAL / "dev_conv27.jsonl", EVAL / "dev_conv28.jsonl", EVAL / "dev_conv29.jsonl", EVAL / "dev_conv30.jsonl", EVAL / "dev_conv31.jsonl", EVAL / "dev_conv32.jsonl", EVAL / "dev_conv33.jsonl", EVAL / "dev_conv34.jsonl", EVAL / "dev_conv35.jsonl", EVAL / "dev_conv36.jsonl", EVAL / "dev_conv37.jsonl", EVAL / "dev_conv38.jsonl", EVAL / "dev_conv39.jsonl", EVAL / "dev_conv40.jsonl", EVAL / "dev_conv41.jsonl", EVAL / "dev_conv42.jsonl", EVAL / "dev_conv43.jsonl", EVAL / "dev_conv44.jsonl", EVAL / "dev_conv45.jsonl", EVAL / "dev_conv46.jsonl", EVAL / "dev_conv47.jsonl", EVAL / "dev_conv48.jsonl", EVAL / "dev_conv49.jsonl", EVAL / "dev_conv50.jsonl", EVAL / "dev_conv51.jsonl", EVAL / "dev_conv52.jsonl", EVAL / "dev_conv53.jsonl", EVAL / "dev_conv54.jsonl", EVAL / "dev_conv55.jsonl", EVAL / "dev_conv56.jsonl", EVAL / "dev_conv57.jsonl", EVAL / "dev_conv58.jsonl", EVAL / "dev_conv59.jsonl", EVAL / "dev_conv60.jsonl", EVAL / "dev_conv61.jsonl", EVAL / "dev_conv62.jsonl", EVAL / "dev_conv63.jsonl", EVAL / "dev_conv64.jsonl", EVAL / "dev_conv65.jsonl", EVAL / "dev_conv66.jsonl", EVAL / "dev_conv67.jsonl", EVAL / "dev_conv68.jsonl", EVAL / "dev_conv69.jsonl", EVAL / "dev_conv70.jsonl", EVAL / "dev_conv71.jsonl", EVAL / "dev_conv72.jsonl", EVAL / "dev_conv73.jsonl", EVAL / "dev_conv74.jsonl", EVAL / "dev_conv75.jsonl", EVAL / "dev_conv76.jsonl", EVAL / "dev_conv77.jsonl", EVAL / "dev_conv78.jsonl", EVAL / "dev_conv79.jsonl", EVAL / "dev_conv80.jsonl", EVAL / "dev_conv81.jsonl", EVAL / "dev_conv82.jsonl", EVAL / "dev_conv83.jsonl", EVAL / "dev_conv84.jsonl", EVAL / "dev_conv85.jsonl", EVAL / "dev_conv86.jsonl", EVAL / "dev_conv87.jsonl", EVAL / "dev_conv88.jsonl", EVAL / "dev_conv89.jsonl", EVAL / "dev_conv90.jsonl", EVAL / "dev_conv91.jsonl", EVAL / "dev_conv92.jsonl", EVAL / "dev_conv93.jsonl", EVAL / "dev_conv94.jsonl", EVAL / "dev_conv95.jsonl", EVAL / "dev_conv96.jsonl", EVAL / "dev_conv97.jsonl", EVAL / "dev_conv98.jsonl", EVAL / "dev_conv99.jsonl", EVAL / "dev_conv100.jsonl", EVAL / "dev_conv101.jsonl", EVAL / "dev_conv102.jsonl", EVAL / "dev_conv103.jsonl", EVAL / "dev_conv104.jsonl", EVAL / "dev_conv105.jsonl", EVAL / "dev_conv106.jsonl", EVAL / "dev_conv107.jsonl", EVAL / "dev_conv108.jsonl", EVAL / "dev_conv109.jsonl", EVAL / "dev_conv110.jsonl", EVAL / "dev_near111.jsonl", EVAL / "dev_conv112.jsonl", EVAL / "dev_conv113.jsonl", EVAL / "dev_conv114.jsonl", EVAL / "dev_near115.jsonl", EVAL / "dev_conv116.jsonl", EVAL / "dev_near117.jsonl", EVAL / "dev_conv118.jsonl", EVAL / "dev_conv119.jsonl", EVAL / "dev_conv120.jsonl", EVAL / "dev_near121.jsonl", EVAL / "dev_conv122.jsonl", EVAL / "dev_conv123.jsonl", EVAL / "dev_conv124.jsonl", EVAL / "dev_conv125.jsonl", EVAL / "dev_conv126.jsonl", EVAL / "dev_conv127.jsonl", EVAL / "dev_conv128.jsonl", EVAL / "dev_conv129.jsonl", EVAL / "dev_conv130.jsonl", EVAL / "dev_conv131.jsonl", EVAL / "dev_conv132.jsonl", EVAL / "dev_conv133.jsonl", EVAL / "dev_conv134.jsonl", EVAL / "dev_conv135.jsonl", EVAL / "dev_conv136.jsonl", EVAL / "dev_conv137.jsonl", EVAL / "dev_conv138.jsonl", EVAL / "dev_conv139.jsonl", EVAL / "dev_conv140.jsonl", EVAL / "dev_conv141.jsonl", EVAL / "dev_conv142.jsonl", EVAL / "dev_conv143.jsonl", EVAL / "dev_conv144.jsonl", EVAL / "dev_conv145.jsonl", EVAL / "dev_conv146.jsonl", EVAL / "dev_conv147.jsonl", EVAL / "dev_conv148.jsonl", EVAL / "dev_conv149.jsonl", EVAL / "dev_conv150.jsonl", EVAL / "dev_conv151.jsonl", EVAL / "dev_conv152.jsonl", EVAL / "dev_conv153.jsonl", EVAL / "dev_conv154.jsonl", EVAL / "dev_conv155.jsonl", EVAL / "dev_conv156.jsonl", EVAL / "dev_conv157.jsonl", EVAL / "dev_conv158.jsonl", EVAL / "dev_conv159.jsonl", EVAL / "dev_conv160.jsonl", EVAL / "dev_conv161.jsonl", EVAL / "dev_conv162.jsonl", EVAL / "dev_conv163.jsonl", EVAL / "dev_conv164.jsonl", EVAL / "dev_conv165.jsonl", EVAL / "dev_conv166.jsonl", EVAL / "dev_conv167.jsonl", EVAL / "dev_conv168.jsonl", EVAL / "dev_conv169.jsonl", EVAL / "dev_conv170.jsonl", EVAL / "dev_conv171.jsonl", EVAL / "dev_conv172.jsonl", EVAL / "dev_conv173.jsonl", EVAL / "dev_conv174.jsonl", EVAL / "dev_conv175.jsonl", EVAL / "dev_conv176.jsonl", EVAL / "dev_conv177.jsonl", EVAL / "dev_conv178.jsonl", EVAL / "dev_conv179.jsonl", EVAL / "dev_conv180.jsonl", EVAL / "dev_conv181.jsonl", EVAL / "dev_conv182.jsonl", EVAL / "dev_conv183.jsonl", EVAL / "dev_conv184.jsonl", EVAL / "dev_conv185.jsonl", EVAL / "dev_conv186.jsonl", EVAL / "dev_conv187.jsonl", EVAL / "dev_conv188.jsonl", EVAL / "dev_conv189.jsonl", EVAL / "dev_conv190.jsonl", EVAL / "dev_conv191.jsonl", EVAL / "dev_conv192.jsonl", EVAL / "dev_conv193.jsonl", EVAL / "dev_conv194.jsonl", EVAL / "dev_conv195.jsonl", EVAL / "dev_conv196.jsonl", EVAL / "dev_conv197.jsonl", EVAL / "dev_conv198.jsonl", EVAL / "dev_conv199.jsonl", EVAL / "dev_conv200.jsonl", EVAL / "dev_conv201.jsonl", EVAL / "dev_conv202.jsonl", EVAL / "dev_conv203.jsonl", EVAL / "dev_conv204.jsonl", EVAL / "dev_conv205.jsonl", EVAL / "dev_conv206.jsonl", EVAL / "dev_conv207.jsonl", EVAL / "dev_conv208.jsonl", EVAL / "dev_conv209.jsonl", EVAL / "dev_conv210.jsonl", EVAL / "dev_conv211.jsonl", EVAL / "dev_conv212.jsonl", EVAL / "dev_conv213.jsonl", EVAL / "dev_conv214.jsonl", EVAL / "dev_conv215.jsonl", EVAL / "dev_conv216.jsonl", EVAL / "dev_conv217.jsonl", EVAL / "dev_conv218.jsonl", EVAL / "dev_conv219.jsonl", EVAL / "dev_conv220.jsonl", EVAL / "dev_conv221.jsonl", EVAL / "dev_conv222.jsonl", EVAL / "dev_conv223.jsonl", EVAL / "dev_conv224.jsonl", EVAL / "dev_conv225.jsonl", EVAL / "dev_conv226.jsonl", EVAL / "dev_conv227.jsonl", EVAL / "dev_conv228.jsonl", EVAL / "dev_conv229.jsonl", EVAL / "dev_conv230.jsonl", EVAL / "dev_conv231.jsonl", EVAL / "dev_conv232.jsonl", EVAL / "dev_conv233.jsonl", EVAL / "dev_conv234.jsonl", EVAL / "dev_conv235.jsonl", EVAL / "dev_conv236.jsonl", EVAL / "dev_conv237.jsonl", EVAL / "dev_conv238.jsonl", EVAL / "dev_conv239.jsonl", EVAL / "dev_conv240.jsonl", EVAL / "dev_conv241.jsonl", EVAL / "dev_conv242.jsonl", EVAL / "dev_conv243.jsonl", EVAL / "dev_conv244.jsonl", EVAL / "dev_conv245.jsonl", EVAL / "dev_conv246.jsonl", EVAL / "dev_conv247.jsonl", EVAL / "dev_conv248.jsonl", EVAL / "dev_conv249.jsonl", EVAL / "dev_conv250.jsonl", EVAL / "dev_conv251.jsonl", EVAL / "dev_conv252.jsonl", EVAL / "dev_conv253.jsonl", EVAL / "dev_conv254.jsonl", EVAL / "dev_conv255.jsonl", EVAL / "dev_conv256.jsonl", EVAL / "dev_conv257.jsonl", EVAL / "dev_conv258.jsonl", EVAL / "dev_conv259.jsonl", EVAL / "dev_conv260.jsonl", EVAL / "dev_conv261.jsonl", EVAL / "dev_conv262.jsonl", EVAL / "dev_conv263.jsonl", EVAL / "dev_conv264.jsonl", EVAL / "dev_conv265.jsonl", EVAL / "dev_conv266.jsonl", EVAL / "dev_conv267.jsonl", EVAL / "dev_conv268.jsonl", EVAL / "dev_conv269.jsonl", EVAL / "dev_conv270.jsonl", EVAL / "dev_conv271.jsonl", EVAL / "dev_conv272.jsonl", EVAL / "dev_conv273.jsonl", EVAL / "dev_conv274.jsonl", EVAL / "dev_conv275.jsonl", EVAL / "dev_conv276.jsonl", EVAL / "dev_conv277.jsonl", EVAL / "dev_conv278.jsonl", EVAL / "dev_conv279.jsonl", EVAL / "dev_conv280.jsonl", EVAL / "dev_conv281.jsonl", EVAL / "dev_conv282.jsonl", EVAL / "dev_conv283.jsonl", EVAL / "dev_conv284.jsonl", EVAL / "dev_conv285.jsonl", EVAL / "dev_conv286.jsonl", EVAL / "dev_conv287.jsonl", EVAL / "dev_conv288.jsonl", EVAL / "dev_conv289.jsonl", EVAL / "dev_conv290.jsonl", EVAL / "dev_conv291.jsonl", EVAL / "dev_near292.jsonl", EVAL / "dev_conv293.jsonl", EVAL / "dev_conv294.jsonl", EVAL / "dev_near295.jsonl", EVAL / "dev_conv296.jsonl", EVAL / "dev_conv297.jsonl", EVAL / "dev_conv298.jsonl", EVAL / "dev_conv299.jsonl", EVAL / "dev_conv300.jsonl", EVAL / "dev_conv301.jsonl", EVAL / "dev_conv302.jsonl", EVAL / "dev_conv303.jsonl", EVAL / "dev_conv304.jsonl", EVAL / "dev_conv305.jsonl", EVAL / "dev_conv306.jsonl", EVAL / "dev_conv307.jsonl", EVAL / "dev_conv308.jsonl", EVAL / "dev_conv309.jsonl", EVAL / "dev_conv310.jsonl", EVAL / "dev_conv311.jsonl", EVAL / "dev_conv312.jsonl", EVAL / "dev_conv313.jsonl", EVAL / "dev_conv314.jsonl", EVAL / "dev_conv315.jsonl", EVAL / "dev_conv316.jsonl", EVAL / "dev_conv317.jsonl", EVAL / "dev_conv318.jsonl", EVAL / "dev_conv319.jsonl", EVAL / "dev_conv320.jsonl", EVAL / "dev_conv321.jsonl", EVAL / "dev_conv322.jsonl", EVAL / "dev_conv323.jsonl", EVAL / "dev_conv324.jsonl", EVAL / "dev_conv325.jsonl", EVAL / "dev_conv326.jsonl", EVAL / "dev_conv327.jsonl", EVAL / "dev_conv328.jsonl", EVAL / "dev_conv329.jsonl", EVAL / "dev_conv330.jsonl", EVAL / "dev_conv331.jsonl", EVAL / "dev_conv332.jsonl", EVAL / "dev_conv333.jsonl", EVAL / "dev_conv334.jsonl", EVAL / "dev_conv335.jsonl", EVAL / "dev_conv336.jsonl", EVAL / "dev_conv337.jsonl", EVAL / "dev_conv338.jsonl", EVAL / "dev_conv339.jsonl", EVAL / "dev_conv340.jsonl", EVAL / "dev_conv341.jsonl", EVAL / "dev_conv342.jsonl", EVAL / "dev_conv343.jsonl", EVAL / "dev_conv344.jsonl", EVAL / "dev_conv345.jsonl", EVAL / "dev_conv346.jsonl", EVAL / "dev_conv347.jsonl", EVAL / "dev_conv348.jsonl", EVAL / "dev_conv349.jsonl", EVAL / "dev_conv350.jsonl", EVAL / "dev_conv351.jsonl", EVAL / "dev_conv352.jsonl", EVAL / "dev_conv353.jsonl", EVAL / "dev_conv354.jsonl", EVAL / "dev_conv355.jsonl", EVAL / "dev_conv356.jsonl", EVAL / "dev_conv357.jsonl", EVAL / "dev_conv358.jsonl", EVAL / "dev_conv359.jsonl", EVAL / "dev_conv360.jsonl", EVAL / "dev_conv361.jsonl", EVAL / "dev_conv362.jsonl", EVAL / "dev_conv363.jsonl", EVAL / "dev_conv364.jsonl", EVAL / "dev_conv365.jsonl", EVAL / "dev_conv366.jsonl", EVAL / "dev_conv367.jsonl", EVAL / "dev_conv368.jsonl", EVAL / "dev_conv369.jsonl", EVAL / "dev_conv370.jsonl", EVAL / "dev_conv371.jsonl", EVAL / "dev_conv372.jsonl", EVAL / "dev_conv373.jsonl", EVAL / "dev_conv374.jsonl", EVAL / "dev_conv375.jsonl", EVAL / "dev_conv376.jsonl", EVAL / "dev_conv377.jsonl", EVAL / "dev_conv378.jsonl", EVAL / "dev_conv379.jsonl", EVAL / "dev_conv380.jsonl", EVAL / "dev_conv381.jsonl", EVAL / "dev_conv382.jsonl", EVAL / "dev_conv383.jsonl", EVAL / "dev_conv384.jsonl", EVAL / "dev_conv385.jsonl", EVAL / "dev_conv386.jsonl", EVAL / "dev_conv387.jsonl", EVAL / "dev_conv388.jsonl", EVAL / "dev_conv389.jsonl", EVAL / "dev_conv390.jsonl", EVAL / "dev_conv391.jsonl", EVAL / "dev_conv392.jsonl", EVAL / "dev_conv393.jsonl", EVAL / "dev_conv394.jsonl", EVAL / "dev_conv395.jsonl", EVAL / "dev_conv396.jsonl", EVAL / "dev_conv397.jsonl", EVAL / "dev_conv398.jsonl", EVAL / "dev_conv399.jsonl", EVAL / "dev_conv400.jsonl", EVAL / "dev_conv401.jsonl", EVAL / "dev_conv402.jsonl", EVAL / "dev_conv403.jsonl", EVAL / "dev_conv404.jsonl", EVAL / "dev_conv405.jsonl", EVAL / "dev_conv406.jsonl", EVAL / "dev_conv407.jsonl", EVAL / "dev_conv408.jsonl", EVAL / "dev_conv409.jsonl", EVAL / "dev_conv410.jsonl", EVAL / "dev_conv411.jsonl", EVAL / "dev_conv412.jsonl", EVAL / "dev_conv413.jsonl", EVAL / "dev_conv414.jsonl", EVAL / "dev_conv415.jsonl", EVAL / "dev_conv416.jsonl", EVAL / "dev_conv417.jsonl", EVAL / "dev_conv418.jsonl", EVAL / "dev_conv419.jsonl", EVAL / "dev_conv420.jsonl", EVAL / "dev_conv421.jsonl", EVAL / "dev_conv422.jsonl", EVAL / "dev_conv423.jsonl", EVAL / "dev_conv424.jsonl", EVAL / "dev_conv425.jsonl", EVAL / "dev_conv426.jsonl", EVAL / "dev_conv427.jsonl", EVAL / "dev_conv428.jsonl", EVAL / "dev_conv429.jsonl", EVAL / "dev_conv430.jsonl", EVAL / "dev_conv431.jsonl", EVAL / "dev_conv432.jsonl", EVAL / "dev_conv433.jsonl", EVAL / "dev_conv434.jsonl", EVAL / "dev_conv435.jsonl", EVAL / "dev_conv436.jsonl", EVAL / "dev_conv437.jsonl", EVAL / "dev_conv438.jsonl", EVAL / "dev_conv439.jsonl", EVAL / "dev_conv440.jsonl", EVAL / "dev_conv441.jsonl", EVAL / "dev_conv442.jsonl", EVAL / "dev_conv443.jsonl", EVAL / "dev_conv444.jsonl", EVAL / "dev_conv445.jsonl", EVAL / "dev_conv446.jsonl", EVAL / "dev_conv447.jsonl", EVAL / "dev_conv448.jsonl", EVAL / "dev_conv449.jsonl", EVAL / "dev_conv450.jsonl", EVAL / "dev_conv451.jsonl", EVAL / "dev_conv452.jsonl", EVAL / "dev_conv453.jsonl", EVAL / "dev_conv454.jsonl",
                                  EVAL / "test.jsonl"],
                         ids=["shared-faq_dev", "shared-conv_dev", "dev", "dev_oldtest", "dev_conv", "dev_conv3", "dev_conv4", "dev_conv5", "dev_conv6", "dev_conv7", "dev_conv8", "dev_conv9", "dev_conv10", "dev_conv11", "dev_conv12", "dev_conv13", "dev_conv14", "dev_conv15", "dev_conv16", "dev_conv17", "dev_conv18", "dev_near18", "dev_conv19", "dev_conv20", "dev_conv21", "dev_conv22", "dev_conv23", "dev_conv24", "dev_conv25", "dev_conv26", "dev_conv27", "dev_conv28", "dev_conv29", "dev_conv30", "dev_conv31", "dev_conv32", "dev_conv33", "dev_conv34", "dev_conv35", "dev_conv36", "dev_conv37", "dev_conv38", "dev_conv39", "dev_conv40", "dev_conv41", "dev_conv42", "dev_conv43", "dev_conv44", "dev_conv45", "dev_conv46", "dev_conv47", "dev_conv48", "dev_conv49", "dev_conv50", "dev_conv51", "dev_conv52", "dev_conv53", "dev_conv54", "dev_conv55", "dev_conv56", "dev_conv57", "dev_conv58", "dev_conv59", "dev_conv60", "dev_conv61", "dev_conv62", "dev_conv63", "dev_conv64", "dev_conv65", "dev_conv66", "dev_conv67", "dev_conv68", "dev_conv69", "dev_conv70", "dev_conv71", "dev_conv72", "dev_conv73", "dev_conv74", "dev_conv75", "dev_conv76", "dev_conv77", "dev_conv78", "dev_conv79", "dev_conv80", "dev_conv81", "dev_conv82", "dev_conv83", "dev_conv84", "dev_conv85", "dev_conv86", "dev_conv87", "dev_conv88", "dev_conv89", "dev_conv90", "dev_conv91", "dev_conv92", "dev_conv93", "dev_conv94", "dev_conv95", "dev_conv96", "dev_conv97", "dev_conv98", "dev_conv99", "dev_conv100", "dev_conv101", "dev_conv102", "dev_conv103", "dev_conv104", "dev_conv105", "dev_conv106", "dev_conv107", "dev_conv108", "dev_conv109", "dev_conv110", "dev_near111", "dev_conv112", "dev_conv113", "dev_conv114", "dev_near115", "dev_conv116", "dev_near117", "dev_conv118", "dev_conv119", "dev_conv120", "dev_near121", "dev_conv122", "dev_conv123", "dev_conv124", "dev_conv125", "dev_conv126", "dev_conv127", "dev_conv128", "dev_conv129", "dev_conv130", "dev_conv131", "dev_conv132", "dev_conv133", "dev_conv134", "dev_conv135", "dev_conv136", "dev_conv137", "dev_conv138", "dev_conv139", "dev_conv140", "dev_conv141", "dev_conv142", "dev_conv143", "dev_conv144", "dev_conv145", "dev_conv146", "dev_conv147", "dev_conv148", "dev_conv149", "dev_conv150", "dev_conv151", "dev_conv152", "dev_conv153", "dev_conv154", "dev_conv155", "dev_conv156", "dev_conv157", "dev_conv158", "dev_conv159", "dev_conv160", "dev_conv161", "dev_conv162", "dev_conv163", "dev_conv164", "dev_conv165", "dev_conv166", "dev_conv167", "dev_conv168", "dev_conv169", "dev_conv170", "dev_conv171", "dev_conv172", "dev_conv173", "dev_conv174", "dev_conv175", "dev_conv176", "dev_conv177", "dev_conv178", "dev_conv179", "dev_conv180", "dev_conv181", "dev_conv182", "dev_conv183", "dev_conv184", "dev_conv185", "dev_conv186", "dev_conv187", "dev_conv188", "dev_conv189", "dev_conv190", "dev_conv191", "dev_conv192", "dev_conv193", "dev_conv194", "dev_conv195", "dev_conv196", "dev_conv197", "dev_conv198", "dev_conv199", "dev_conv200", "dev_conv201", "dev_conv202", "dev_conv203", "dev_conv204", "dev_conv205", "dev_conv206", "dev_conv207", "dev_conv208", "dev_conv209", "dev_conv210", "dev_conv211", "dev_conv212", "dev_conv213", "dev_conv214", "dev_conv215", "dev_conv216", "dev_conv217", "dev_conv218", "dev_conv219", "dev_conv220", "dev_conv221", "dev_conv222", "dev_conv223", "dev_conv224", "dev_conv225", "dev_conv226", "dev_conv227", "dev_conv228", "dev_conv229", "dev_conv230", "dev_conv231", "dev_conv232", "dev_conv233", "dev_conv234", "dev_conv235", "dev_conv236", "dev_conv237", "dev_conv238", "dev_conv239", "dev_conv240", "dev_conv241", "dev_conv242", "dev_conv243", "dev_conv244", "dev_conv245", "dev_conv246", "dev_conv247", "dev_conv248", "dev_conv249", "dev_conv250", "dev_conv251", "dev_conv252", "dev_conv253", "dev_conv254", "dev_conv255", "dev_conv256", "dev_conv257", "dev_conv258", "dev_conv259", "dev_conv260", "dev_conv261", "dev_conv262", "dev_conv263", "dev_conv264", "dev_conv265", "dev_conv266", "dev_conv267", "dev_conv268", "dev_conv269", "dev_conv270", "dev_conv271", "dev_conv272", "dev_conv273", "dev_conv274", "dev_conv275", "dev_conv276", "dev_conv277", "dev_conv278", "dev_conv279", "dev_conv280", "dev_conv281", "dev_conv282", "dev_conv283", "dev_conv284", "dev_conv285", "dev_conv286", "dev_conv287", "dev_conv288", "dev_conv289", "dev_conv290", "dev_conv291", "dev_near292", "dev_conv293", "dev_conv294", "dev_near295", "dev_conv296", "dev_conv297", "dev_conv298", "dev_conv299", "dev_conv300", "dev_conv301", "dev_conv302", "dev_conv303", "dev_conv304", "dev_conv305", "dev_conv306", "dev_conv307", "dev_conv308", "dev_conv309", "dev_conv310", "dev_conv311", "dev_conv312", "dev_conv313", "dev_conv314", "dev_conv315", "dev_conv316", "dev_conv317", "dev_conv318", "dev_conv319", "dev_conv320", "dev_conv321", "dev_conv322", "dev_conv323", "dev_conv324", "dev_conv325", "dev_conv326", "dev_conv327", "dev_conv328", "dev_conv329", "dev_conv330", "dev_conv331", "dev_conv332", "dev_conv333", "dev_conv334", "dev_conv335", "dev_conv336", "dev_conv337", "dev_conv338", "dev_conv339", "dev_conv340", "dev_conv341", "dev_conv342", "dev_conv343", "dev_conv344", "dev_conv345", "dev_conv346", "dev_conv347", "dev_conv348", "dev_conv349", "dev_conv350", "dev_conv351", "dev_conv352", "dev_conv353", "dev_conv354", "dev_conv355", "dev_conv356", "dev_conv357", "dev_conv358", "dev_conv359", "dev_conv360", "dev_conv361", "dev_conv362", "dev_conv363", "dev_conv364", "dev_conv365", "dev_conv366", "dev_conv367", "dev_conv368", "dev_conv369", "dev_conv370", "dev_conv371", "dev_conv372", "dev_conv373", "dev_conv374", "dev_conv375", "dev_conv376", "dev_conv377", "dev_conv378", "dev_conv379", "dev_conv380", "dev_conv381", "dev_conv382", "dev_conv383", "dev_conv384", "dev_conv385", "dev_conv386", "dev_conv387", "dev_conv388", "dev_conv389", "dev_conv390", "dev_conv391", "dev_conv392", "dev_conv393", "dev_conv394", "dev_conv395", "dev_conv396", "dev_conv397", "dev_conv398", "dev_conv399", "dev_conv400", "dev_conv401", "dev_conv402", "dev_conv403", "dev_conv404", "dev_conv405", "dev_conv406", "dev_conv407", "dev_conv408", "dev_conv409", "dev_conv410", "dev_conv411", "dev_conv412", "dev_conv413", "dev_conv414", "dev_conv415", "dev_conv416", "dev_conv417", "dev_conv418", "dev_conv419", "dev_conv420", "dev_conv421", "dev_conv422", "dev_conv423", "dev_conv424", "dev_conv425", "dev_conv426", "dev_conv427", "dev_conv428", "dev_conv429", "dev_conv430", "dev_conv431", "dev_conv432", "dev_conv433", "dev_conv434", "dev_conv435", "dev_conv436", "dev_conv437", "dev_conv438", "dev_conv439", "dev_conv440", "dev_conv441", "dev_conv442", "dev_conv443", "dev_conv444", "dev_conv445", "dev_conv446", "dev_conv447", "dev_conv448", "dev_conv449", "dev_conv450", "dev_conv451", "dev_conv452", "dev_conv453", "dev_conv454",
                              "test"])
def test_real_sets_load_unchanged(path):  # the test split's format only: its questions are not read here
    if not path.exists():
        pytest.skip(f"{path} is absent")
    items = load(path)
    assert items == _raw(path)
    assert len(items) > 0


def _write(tmp_path, rows, name="set.jsonl"):
    p = tmp_path / name
    p.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows),
                 encoding="utf-8")
    return p


@pytest.mark.parametrize("bad, words", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
    ({k: v for k, v in GOOD.items() if k != "experts"}, "missing field 'experts'"),
    ({**GOOD, "topic": "1"}, "'topic'"),
    ({**GOOD, "topic": True}, "'topic'"),
    ({**GOOD, "topic": 0}, "'topic'"),
    ({**GOOD, "question": None}, "'question'"),
    ({**GOOD, "experts": "gavin_zhang"}, "'experts'"),
    ({**GOOD, "must_mention": ["a|"]}, "empty '|' alternative"),
    ({**GOOD, "id": ""}, "'id'"),
    ({**GOOD, "lang": 3}, "'lang'"),
    ({**GOOD, "id": "x-1"}, "duplicate id 'x-1' (first on line 1)"),
])
def test_bad_row_names_file_and_line(tmp_path, bad, words):
    p = _write(tmp_path, [GOOD, "", bad])  # the bad row is on line 3 (line 2 is blank)
    with pytest.raises(ValueError) as e:
        load(p)
    msg = str(e.value)
    assert msg.startswith(f"{p}:3: ") and words in msg and "\n" not in msg


@pytest.mark.parametrize("bad, words", [
    ({k: v for k, v in CONV.items() if k != "kind"}, "missing field 'kind'"),
    ({"id": "c-2", "question": "你好", "kind": "smalltalk", "history": []}, "(or 'expect', for a conversation row)"),
    ({**CONV, "expect": "maybe"}, "'expect' must be one of answer, refuse, any"),
    ({**CONV, "expect_kind": "chat"}, "'expect_kind' must be one of answer, multi, overview"),
    ({**CONV, "history": "第二个问题是什么"}, "'history' must be a list of strings"),
    ({**CONV, "history": [{"role": "user"}]}, "'history' must be a list of strings"),
    ({**CONV, "topics": ["3"]}, "'topics' must be a list of question numbers"),
    ({**CONV, "cite_topics_all": [0]}, "'cite_topics_all' must be a list of question numbers"),
    ({**CONV, "cite_topics_min": [3, 4]}, "'cite_topics_min' must be {\"of\""),
    ({**CONV, "cite_topics_min": {"of": [3], "n": 2}}, "'cite_topics_min' wants n=2 of only 1"),
    ({**CONV, "min_titles_of": {"of": [3], "k": 1}}, "'min_titles_of' must be"),
    ({**CONV, "min_experts_named_of": {"of": [3], "n": 1}}, "'min_experts_named_of' must be {\"of\": [expert handles"),
    ({**CONV, "experts_any": "nameless"}, "'experts_any' must be a list of non-empty strings"),
    ({**CONV, "experts_all": [""]}, "'experts_all' must be a list of non-empty strings"),
    ({**CONV, "must_not": [""]}, "'must_not' must be a list of non-empty strings"),
    ({**CONV, "min_titles": -1}, "'min_titles' must be a whole number >= 0"),
    ({**CONV, "min_experts_named": True}, "'min_experts_named' must be a whole number >= 0"),
    ({**CONV, "reply_script": "Hans"}, "'reply_script' must be one of Hant"),
    ({**CONV, "topic": 0}, "'topic'"),
    ({**CONV, "must_mention": ["a|"]}, "empty '|' alternative"),
    ({**CONV, "lang": ""}, "'lang'"),
    ({**GOOD, "id": "x-2", "topics": "4"}, "'topics' must be a list of question numbers"),  # known fields, any shape
])
def test_bad_conversation_row_names_file_and_line(tmp_path, bad, words):
    p = _write(tmp_path, [GOOD, "", bad])
    with pytest.raises(ValueError) as e:
        load(p)
    msg = str(e.value)
    assert msg.startswith(f"{p}:3: ") and words in msg and "\n" not in msg, msg


def test_conversation_rows_need_only_id_question_kind_expect(tmp_path):
    minimal = {"id": "c-2", "question": "嗨", "kind": "smalltalk", "expect": "answer"}
    rows = [GOOD, CONV, minimal, {**minimal, "id": "c-3", "topic": None, "experts": [], "must_mention": [],
                                  "lang": "zh-Hans", "expect": "refuse", "expect_kind": "not_covered"},
            {**GOOD, "id": "x-2", "expect_kind": "answer"}]  # a topical row may carry conversation fields
    assert load(_write(tmp_path, rows)) == rows


def test_which_rows_count_where():
    assert not is_conversation_row(GOOD) and is_topical_row(GOOD)
    assert is_conversation_row(CONV) and not is_topical_row(CONV)  # no topic, conversation kind
    assert not is_topical_row({**CONV, "topic": 3})  # a by-number/follow-up row with a topic stays out
    assert is_topical_row({**GOOD, "expect": "answer"})  # a topical kind with a topic counts in both
    assert not is_topical_row({"id": "o", "question": "x", "kind": "ood", "expect": "refuse"})  # no topic field


def test_empty_question_null_topic_bom_and_extra_fields_are_fine(tmp_path):
    rows = [{**GOOD, "id": "a", "question": "", "topic": None, "experts": [], "must_mention": [],
             "kind": "adversarial", "note": "kept"}, GOOD]
    p = tmp_path / "bom.jsonl"
    p.write_text("\ufeff" + "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n", encoding="utf-8")
    assert load(p) == rows


def test_missing_empty_and_binary_files(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nope.jsonl")
    with pytest.raises(ValueError, match="no questions"):
        load(_write(tmp_path, ["", "  "]))
    (tmp_path / "bin.jsonl").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ValueError, match="not UTF-8"):
        load(tmp_path / "bin.jsonl")
