"""Given names and surnames per culture, for names derived without a language model.

Pools are plain data: ``GIVEN[culture][gender]`` with gender ``"f"``, ``"m"`` or ``"n"`` (names
commonly given to either), and ``SURNAMES[culture]``. A culture without its own neutral names
borrows the English ones. Polish surnames in ``-ski``/``-cki``/``-dzki`` take their feminine form
(``-ska``/``-cka``/``-dzka``) for a woman, as they do in Polish.

Sizes (checked by a unit test): every culture has at least 40 surnames, so combined double-barrelled
surnames give every culture more than 1,500 distinct family names, and a cast of 500 (the largest
``--size``) never runs out.
"""

from __future__ import annotations

import re


def _split(text: str) -> tuple[str, ...]:
    return tuple(word.replace("_", " ") for word in text.split())  # "Le_Gall" is one surname


GIVEN: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "f": _split(
            "Abigail Ada Agnes Alice Amelia Anna Beatrice Bethany Bridget Caitlin Carol Charlotte Clara Claire "
            "Daisy Deborah Edith Eileen Eleanor Elsie Emily Emma Esther Evelyn Fiona Florence Frances Gemma "
            "Georgia Grace Hannah Harriet Hazel Helen Imogen Iris Isla Ivy Jane Janet Jennifer Jessica Joan "
            "Josephine Judith Julia Kate Katherine Laura Lily Linda Lucy Lydia Mabel Maggie Margaret Martha "
            "Mary Maureen Megan Mildred Miriam Molly Nancy Naomi Nora Olive Olivia Pamela Patricia Penelope "
            "Phoebe Polly Rachel Rebecca Rose Ruth Sally Sarah Sheila Sophie Stella Susan Sylvia Tessa Vera "
            "Victoria Violet Wendy Winifred Yvonne Zoe"
        ),
        "m": _split(
            "Adam Albert Alfred Andrew Angus Anthony Arthur Barry Ben Bernard Callum Cedric Charles Colin Connor "
            "Daniel David Dennis Donald Douglas Duncan Edmund Edward Ewan Frank Frederick Gareth Geoffrey George "
            "Gerald Gordon Graham Gregory Harold Harry Henry Hugh Ian Jack Jacob James Jeremy John Joseph "
            "Keith Kenneth Kevin Lawrence Leonard Lewis Liam Malcolm Mark Martin Matthew Michael Neil Nigel "
            "Oliver Oscar Owen Patrick Paul Peter Philip Ralph Raymond Richard Robert Roger Ronald Rupert "
            "Samuel Scott Simon Stanley Stephen Stuart Thomas Timothy Tom Victor Walter Wilfred William"
        ),
        "n": _split(
            "Alex Ash Avery Bailey Billie Blair Blake Brook Cameron Carey Casey Charlie Corey Dale Dana Darcy "
            "Devon Drew Eden Ellis Emerson Emery Finley Francis Frankie Gale Harper Hayden Indigo Jamie Jesse "
            "Jo Jody Jordan Jude Jules Kai Kelly Kendall Kerry Kit Kris Lane Lee Leslie Lou Marley Marlowe "
            "Max Mel Micah Morgan Nat Noel Oakley Parker Pat Perry Peyton Quinn Reese Remy Riley River Robin "
            "Rory Rowan Sage Sam Sandy Sasha Shay Sidney Skyler Stevie Tatum Taylor Teagan Terry Toni Tracy "
            "Val Wren Addison Ainsley Alexis Ari Arden Aubrey August Bellamy Bowie Briar Brynn Campbell Carson "
            "Channing Chris Dallas Darby Denver Dylan Elliot Ellery Emory Fallon Flynn Gray Hadley Harley "
            "Hollis Hunter Jay Jaime Jessie Justice Kasey Keegan Kennedy Lake Landry Laurie Lennon Linden "
            "Mackenzie Marion Merritt Milan Monroe Nico Nova Oak Phoenix Presley Raleigh Ray Reagan Reed Rio "
            "Roan Sawyer Scout Shawn Sloan Spencer Sterling Storm Sutton Sydney Tanner Tenzin Toby Tory True "
            "Whitney Winter Zion"
        ),
    },
    "es": {
        "f": _split(
            "Adriana Alba Alicia Amaia Ana Begoña Beatriz Blanca Carmen Celia Clara Concepción Cristina "
            "Dolores Elena Encarna Esperanza Eva Gloria Inés Irene Isabel Itziar Julia Laura Leire Lucía "
            "Luisa Maite Manuela Marta María Mercedes Miren Montserrat Nerea Nuria Paloma Pilar Raquel "
            "Rocío Rosa Sara Silvia Sofía Teresa Verónica Yolanda"
        ),
        "m": _split(
            "Adrián Alejandro Álvaro Andrés Ángel Antonio Asier Carlos César Diego Eduardo Emilio Enrique "
            "Ernesto Fernando Francisco Gonzalo Guillermo Héctor Hugo Ignacio Iker Javier Jesús Joaquín "
            "Jon Jorge José Juan Julián Luis Manuel Marcos Mario Miguel Nicolás Óscar Pablo Pedro Rafael "
            "Ramón Raúl Ricardo Roberto Rubén Santiago Sergio Tomás Unai Xabier"
        ),
        "n": _split("Alexis Ariel Cruz Guadalupe Noa Paz Reyes Rosario Trinidad"),
    },
    "pt": {
        "f": _split(
            "Adriana Alice Ana Beatriz Bruna Carla Carolina Catarina Cláudia Cristina Daniela Diana Fátima "
            "Filipa Francisca Gabriela Helena Inês Isabel Joana Leonor Lúcia Luísa Madalena Margarida Maria "
            "Mariana Marta Matilde Patrícia Paula Raquel Rita Rosa Sara Sofia Susana Teresa Vera"
        ),
        "m": _split(
            "Afonso André António Armando Bernardo Bruno Carlos Diogo Duarte Eduardo Fernando Filipe "
            "Francisco Gonçalo Guilherme Henrique Hugo João Joaquim Jorge José Luís Manuel Marco Mário "
            "Miguel Nuno Paulo Pedro Rafael Ricardo Rodrigo Rui Salvador Sérgio Simão Tiago Tomás Vasco"
        ),
        "n": _split("Ariel Darci Juraci Noa"),
    },
    "fr": {
        "f": _split(
            "Adèle Agnès Amélie Anne Aurélie Béatrice Brigitte Camille Catherine Cécile Chantal Charlotte "
            "Christine Claire Colette Delphine Denise Élise Émilie Florence Françoise Gabrielle Hélène "
            "Isabelle Jacqueline Jeanne Joséphine Julie Laure Léa Louise Lucie Madeleine Margaux Marie "
            "Martine Mathilde Monique Nathalie Odile Pauline Sandrine Simone Solène Sophie Sylvie Véronique"
        ),
        "m": _split(
            "Alain Antoine Arnaud Bastien Benoît Bernard Bertrand Christophe Claude Daniel Didier Étienne "
            "Fabien François Frédéric Gérard Gilles Guillaume Henri Hugo Jacques Jean Jérôme Julien Laurent "
            "Louis Luc Marc Mathieu Maurice Michel Nicolas Olivier Pascal Patrick Philippe Pierre Raphaël "
            "Rémi Sébastien Serge Thierry Thomas Vincent Yann Yves"
        ),
        "n": _split("Camille Claude Dominique Maxime Sacha"),
    },
    "de": {
        "f": _split(
            "Andrea Angelika Anja Anke Annika Barbara Birgit Brigitte Christa Claudia Dagmar Doris Elke Erika "
            "Franziska Frieda Gabriele Gisela Greta Hannelore Heike Helga Ilse Ingrid Jana Johanna Julia "
            "Karin Katrin Lena Luise Marlene Martina Monika Nicole Petra Renate Sabine Silke Susanne Ursula "
            "Ute Wiebke"
        ),
        "m": _split(
            "Andreas Bernd Christian Dieter Dirk Erik Felix Frank Friedrich Georg Gerhard Günter Hans Harald "
            "Heinrich Helmut Holger Jan Jens Joachim Jörg Jürgen Karl Klaus Lars Lukas Manfred Markus Matthias "
            "Michael Niklas Ole Peter Rainer Ralf Stefan Sven Thomas Thorsten Torben Uwe Volker Werner Wolfgang"
        ),
        "n": _split("Alex Kai Kim Luca Toni"),
    },
    "it": {
        "f": _split(
            "Alessandra Anna Antonella Beatrice Bianca Camilla Carla Chiara Cristina Daniela Elena Elisa "
            "Federica Francesca Gabriella Giada Giovanna Giulia Ilaria Laura Lucia Luisa Marta Martina "
            "Paola Patrizia Raffaella Rita Roberta Rosa Sara Serena Silvia Simona Sofia Teresa Valentina"
        ),
        "m": _split(
            "Alberto Alessandro Andrea Angelo Antonio Carlo Claudio Daniele Davide Enrico Fabio Federico "
            "Francesco Giacomo Gianni Giorgio Giovanni Giuseppe Lorenzo Luca Luigi Marco Massimo Matteo "
            "Michele Nicola Paolo Pietro Riccardo Roberto Salvatore Sergio Stefano Tommaso Vincenzo"
        ),
        "n": _split("Celeste Ariel Fiore Vale"),
    },
    "pl": {
        "f": _split(
            "Agata Agnieszka Aleksandra Alicja Anna Barbara Beata Dorota Edyta Elżbieta Ewa Grażyna Halina "
            "Hanna Irena Iwona Jadwiga Joanna Jolanta Justyna Karolina Katarzyna Krystyna Magdalena Małgorzata "
            "Maria Marta Monika Natalia Paulina Renata Teresa Urszula Wanda Weronika Zofia"
        ),
        "m": _split(
            "Adam Andrzej Artur Bartosz Czesław Damian Dariusz Grzegorz Henryk Jacek Jakub Jan Janusz Jerzy "
            "Józef Kamil Krzysztof Łukasz Maciej Marcin Marek Mariusz Michał Paweł Piotr Rafał Robert Roman "
            "Ryszard Sławomir Stanisław Tadeusz Tomasz Wojciech Zbigniew"
        ),
        "n": (),
    },
    "ar": {
        "f": _split(
            "Aisha Amal Amira Asma Dalia Dima Fatima Ghada Hala Hanan Hiba Huda Iman Jamila Layla Lina Maha "
            "Mariam Mona Nadia Nour Rana Rania Reem Rima Salma Samira Sana Yasmin Zainab Zeina"
        ),
        "m": _split(
            "Adel Ahmad Ali Amir Bashir Fadi Farid Hassan Hussein Ibrahim Imad Jamal Karim Khaled Mahmoud "
            "Majid Marwan Mazen Mohammed Mustafa Nabil Omar Rami Said Salim Samir Tarek Walid Yousef Ziad"
        ),
        "n": _split("Nour Salam Rida"),
    },
    "ja": {
        "f": _split(
            "Aiko Akemi Asuka Ayaka Chiyo Emi Emiko Haruka Hina Kaori Kazuko Keiko Kumiko Mai Mayumi Megumi "
            "Miho Misaki Naoko Noriko Sachiko Sakura Tomoko Yoko Yui Yuka Yumi Yuriko"
        ),
        "m": _split(
            "Akio Daisuke Goro Haruto Hideo Hiroshi Ichiro Isamu Jiro Kazuo Kenji Koji Makoto Masaru Minoru "
            "Naoki Osamu Ren Ryo Satoshi Shin Shota Takashi Takeshi Tetsuya Yasuo Yuto"
        ),
        "n": _split("Akira Hikaru Kaoru Nao Chihiro Izumi Jun Yuu"),
    },
    "zh": {
        "f": _split("Fang Hui Jing Juan Lan Lei Li Lian Ling Mei Min Na Ping Qing Xia Xiu Yan Ying Yu Yun Zhen"),
        "m": _split("Bo Chao Cheng Gang Hao Jian Jie Jun Kai Lei Liang Ming Peng Qiang Tao Wei Xin Yong Zhi Zhong"),
        "n": _split("An Hua Lin Ning Xiao Yi"),
    },
    "in": {
        "f": _split(
            "Aarti Aishwarya Ananya Anjali Deepa Divya Gauri Geeta Isha Kavita Lakshmi Meena Neha Nisha "
            "Pooja Priya Radha Rekha Shreya Sunita Swati Usha Vidya"
        ),
        "m": _split(
            "Aditya Amit Anil Arjun Deepak Ganesh Hari Karan Krishna Manoj Mohan Nikhil Pradeep Rahul Rajesh "
            "Ravi Sanjay Suresh Vijay Vikram Vinod"
        ),
        "n": _split("Kiran Sasha Jyoti"),
    },
    "af": {
        "f": _split(
            "Abena Adaeze Adwoa Akosua Amaka Ayo Chiamaka Chioma Efua Folake Funmi Ifeoma Ngozi Nkechi Oluchi "
            "Temitope Titilayo Yetunde Zainab Amina"
        ),
        "m": _split(
            "Adebayo Babajide Chidi Chinedu Emeka Femi Ifeanyi Kofi Kwame Kwabena Obinna Oluwaseun Segun "
            "Tunde Uche Yaw Kayode Nnamdi"
        ),
        "n": _split("Ayodele Chibuike Ebere Dayo"),
    },
    "ru": {
        "f": _split(
            "Alla Anastasia Anna Daria Ekaterina Elena Galina Irina Larisa Ludmila Marina Natalia Nina Olga "
            "Svetlana Tatiana Valentina Vera Yulia Zoya"
        ),
        "m": _split(
            "Alexei Andrei Anton Boris Dmitri Fyodor Gennadi Igor Ivan Konstantin Leonid Maxim Mikhail Nikolai "
            "Oleg Pavel Sergei Vadim Viktor Vladimir Yuri"
        ),
        "n": _split("Sasha Zhenya Valya"),
    },
    "fil": {
        "f": _split(
            "Analyn Bea Carmela Cristina Divina Jocelyn Lorna Lourdes Luzviminda Maricel Marites Merlie "
            "Nenita Perla Rosalie Teresita Rowena Imelda"
        ),
        "m": _split(
            "Arnel Benigno Danilo Eduardo Efren Ferdinand Jomar Jun-jun Lito Manuel Nestor Ramon Renato Rodel "
            "Rogelio Teodoro Jericho"
        ),
        "n": _split("Jun Ely Tala"),
    },
}

SURNAMES: dict[str, tuple[str, ...]] = {
    "en": _split(
        "Abbott Ainsworth Allerton Appleby Ashdown Ashworth Atherton Bagley Bancroft Barlow Barnard Beckett "
        "Bellamy Birch Blackwood Bramley Brewster Brookes Burrows Carver Catterall Chadwick Chambers Clegg "
        "Coates Colby Crossley Dawson Denholm Draper Dunmore Eastwood Ellery Fairclough Farrow Fenwick Fletcher "
        "Forsyth Garside Gilroy Goodall Greaves Hadley Halliwell Hartley Haworth Hebden Hepworth Holloway "
        "Horsfall Ingram Jagger Kershaw Kilburn Lambert Langley Latimer Lockwood Marsden Merriman Moorhouse "
        "Naylor Nettleton Oakes Ormerod Padgett Pickering Prendergast Pryce Radcliffe Ramsden Redfern Rowntree "
        "Royston Sanderson Shackleton Sheppard Sowerby Stainton Sutcliffe Swinburne Thackeray Thorne "
        "Threlfall Tolliver Trafford Underwood Wainwright Walmsley Warburton Whitaker Whitlock Wilberforce "
        "Winterbottom Woodcock Wrenfield Yardley"
    ),
    "es": _split(
        "Aguirre Alonso Arrieta Blanco Bustamante Cabrera Calvo Castillo Cortés Delgado Domínguez Echeverría "
        "Espinosa Etxeberria Fernández Flores Fuentes Gallego Garmendia Garrido Gil Gómez González Guerrero "
        "Herrera Ibarra Iglesias Jiménez Lasa Lorenzo Lozano Martín Medina Molina Morales Moreno Navarro "
        "Núñez Ortega Ortiz Pascual Peña Prieto Ramos Rubio Sáez Santana Santos Serrano Soto Suárez Torres "
        "Urquijo Vargas Vázquez Vega Zabala"
    ),
    "pt": _split(
        "Almeida Alves Amaral Antunes Barbosa Barros Batista Borges Brito Cardoso Carvalho Coelho Correia "
        "Costa Cruz Cunha Dias Esteves Faria Fernandes Ferreira Fonseca Freitas Gaspar Gomes Gonçalves Henriques "
        "Leite Lopes Machado Marques Martins Matos Mendes Monteiro Moreira Neves Nogueira Nunes Oliveira Pacheco "
        "Pereira Pinto Ramos Reis Ribeiro Rocha Rodrigues Santos Silva Soares Sousa Teixeira Vieira"
    ),
    "fr": _split(
        "Arnaud Aubert Barbier Bertin Blanchard Bonnet Boucher Bourgeois Brun Carré Chevalier Clément Colin "
        "Dubois Dufour Dumont Dupuis Durand Fabre Fontaine Fournier Gaillard Garnier Gauthier Girard Guérin "
        "Hamon Joly Kerbrat Lambert Laurent Le_Bihan Le_Gall Leblanc Lefèvre Legrand Lemoine Leroy Marchand "
        "Mercier Meunier Morel Nicolas Perrin Picard Renard Riou Rousseau Roussel Roux Tanguy Vidal"
    ),
    "de": _split(
        "Albers Bauer Becker Behrens Brandt Braun Claussen Dietrich Ebert Engel Fischer Franke Friedrich Graf "
        "Hahn Hansen Hartmann Heinrichs Hoffmann Jansen Jung Kaiser Keller Klein Koch Krüger Kuhn Lange "
        "Lehmann Lorenz Meyer Möller Neumann Otto Peters Petersen Richter Roth Schäfer Schmidt Schmitz Scholz "
        "Schröder Schulz Schwarz Sommer Thomsen Vogel Wagner Weber Winkler Wolf Zimmermann"
    ),
    "it": _split(
        "Amato Barbieri Bellini Benedetti Bernardi Bianchi Bruno Caruso Colombo Conte Costa D'Angelo De Luca "
        "Esposito Fabbri Farina Ferrara Ferrari Fontana Galli Gallo Giordano Greco Lombardi Longo Mancini "
        "Marchetti Marini Martini Mazza Monti Moretti Pellegrini Rinaldi Rizzo Romano Rossi Russo Santoro "
        "Serra Testa Vitale"
    ),
    "pl": _split(
        "Adamczyk Baran Borkowski Chmielewski Czarnecki Dąbrowski Dudek Głowacki Górski Grabowski Jabłoński "
        "Jankowski Jasiński Kaczmarek Kalinowski Kamiński Kowalczyk Kowalski Kozłowski Krajewski Krawczyk "
        "Kwiatkowski Lewandowski Majewski Malinowski Mazur Michalski Nowak Nowakowski Olszewski Pawlak "
        "Pawłowski Piotrowski Rutkowski Sadowski Sikora Sobczak Szczepański Szymański Walczak Wieczorek "
        "Wiśniewski Wojciechowski Woźniak Wróbel Zając Zalewski Zieliński"
    ),
    "ar": _split(
        "Abboud Al-Amin Al-Hassan Al-Khatib Al-Masri Al-Rashid Al-Sayed Aziz Bakri Barakat Darwish Farah "
        "Haddad Halabi Hamdan Hariri Hijazi Ibrahim Jaber Kanaan Karam Khalil Khoury Mansour Nasser Qasim "
        "Rahman Saab Saleh Shami Suleiman Tahan Yassin Zahran Zaidan Azar Najjar Sabbagh Attar Homsi"
    ),
    "ja": _split(
        "Abe Aoki Endo Fujii Fujita Fukuda Goto Hasegawa Hayashi Hirano Ikeda Inoue Ishii Ishikawa Ito "
        "Kato Kimura Kobayashi Kondo Maeda Matsumoto Mori Murakami Nakajima Nakamura Ogawa Okada Ono "
        "Saito Sakamoto Sasaki Sato Shimizu Suzuki Takahashi Tanaka Watanabe Yamada Yamaguchi Yoshida"
    ),
    "zh": _split(
        "Cai Cao Chen Cheng Deng Ding Dong Du Fan Feng Gao Guo He Hu Huang Jiang Jin Liang Lin Liu Lu Luo "
        "Ma Pan Peng Shen Song Sun Tang Tian Wang Wei Wu Xie Xu Yang Ye Yu Zhang Zhao Zhou Zhu"
    ),
    "in": _split(
        "Agarwal Banerjee Bhat Bose Chatterjee Chopra Das Desai Dutta Gill Gupta Iyer Jain Joshi Kapoor "
        "Khanna Kulkarni Kumar Malhotra Mehta Menon Mishra Nair Pandey Patel Pillai Rao Reddy Saxena Sen "
        "Shah Sharma Singh Sinha Srinivasan Thakur Trivedi Varma Verma Yadav"
    ),
    "af": _split(
        "Abiodun Adeyemi Afolabi Agyeman Akande Amadi Asante Boateng Chukwu Eze Mensah Nwachukwu Nwosu Obi "
        "Odukoya Okafor Okeke Okonkwo Olawale Oyelaran Owusu Ogunleye Osei Adjei Appiah Darko Ibe Ilori "
        "Nnadi Ogbu Okoro Olatunji Onyeka Opoku Quaye Sarpong Udeh Uzor Yeboah Bamidele"
    ),
    "ru": _split(
        "Alekseev Belov Bogdanov Egorov Fedorov Frolov Gusev Ivanov Kiselev Kovalev Kozlov Kuznetsov Lebedev "
        "Makarov Medvedev Morozov Nikitin Novikov Orlov Pavlov Petrov Popov Romanov Semenov Smirnov Sokolov "
        "Sorokin Stepanov Tarasov Vasiliev Volkov Vorobiev Zaitsev Zakharov Zhukov Belyaev Komarov Titov "
        "Baranov Grigoriev"
    ),
    "fil": _split(
        "Aquino Bautista Castillo Cruz Dela_Cruz Del_Rosario Domingo Flores Garcia Gonzales Lopez Mendoza "
        "Navarro Pascual Ramos Reyes Rivera Santiago Santos Soriano Tolentino Torres Villanueva Aguilar "
        "Agustin Bernardo Cabrera Dizon Enriquez Fernandez Galang Javier Lacson Manalo Marquez Ocampo "
        "Salazar Tan Valdez Yap"
    ),
}

# Russian surnames in -ov/-ev/-in take -a for a woman; Polish adjectival ones -ski/-cki/-dzki take -ska etc.
FEMININE_SURNAME_ENDINGS: dict[str, tuple[tuple[str, str], ...]] = {
    "pl": (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")),
    "ru": (("ov", "ova"), ("ev", "eva"), ("in", "ina")),
}

# How two surnames combine when one is not enough to keep families apart: a second surname as the
# culture uses one (Spanish and Portuguese two surnames, elsewhere a double-barrelled name).
COMBINE: dict[str, str] = {"es": "{a} {b}", "pt": "{a} {b}", "fil": "{a} {b}"}

# English place-name surnames (Ashford, Hartwell, Thornby): 64 first parts x 24 endings, far more
# family names than the list above, so two unrelated English-named characters rarely collide (in a
# cast of 13, a 5% chance that any two draw the same surname; with 733 names it was 10%).
_EN_FIRST = _split(
    "Ash Black Brad Brom Cald Carr Cold Crane Dun East Elm Fair Fern Glad Hart Haw Hay Heath Hol Kirk "
    "Lang Lock Mar Mead Mill Moor Nor Oak Red Rad Rook Ship Stan Stock Thorn West Whit Wood Wyn Ald "
    "Bar Birch Bram Brook Chal Chester Clay Cliff Crook Fox Gold Green Hazel Ling Pen Raven Roth Sand "
    "Shel Silver Sum Win Wey Yar"
)
_EN_END = _split(
    "by croft dale den field ford ham hurst ley more ridge stead ton well wick worth bury brook combe gate "
    "hill holt stone wood"
)
SURNAMES["en"] = tuple(
    dict.fromkeys(
        [
            *SURNAMES["en"],
            # Not "Brookbrook" or "Woodwood"; three letters in a row become two ("Carrridge" -> "Carridge").
            *(re.sub(r"(.)\1\1", r"\1\1", a + b) for a in _EN_FIRST for b in _EN_END if b not in a.lower()),
        ]
    )
)
